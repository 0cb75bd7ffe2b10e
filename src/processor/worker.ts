import { Registry } from "prom-client";
import { refreshSalesForOrders } from "~/core/domain/analytics/sales";
import { createDb, type Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import type { ProcessorConfig } from "./config";
import type { Mailer } from "~/core/integrations/mail";
import { createConsumers } from "./consumers";
import type { RefreshSales } from "./consumers/analytics";
import { createConfiguredMailer } from "./consumers/mail";
import { createAmqpTransport } from "./messaging/amqp-transport";
import { createDbTransport } from "./messaging/db-transport";
import { createPipelineMetrics } from "./messaging/metrics";
import type { Transport } from "./messaging/transport";
import { createPipelineClients, type WorkerClients } from "./pipeline-clients";
import { startTasks } from "./tasks";

export interface WorkerHandle {
  /** Stops taking new messages, finishes in-flight ones, closes connections. */
  stop(): Promise<void>;
}

export interface WorkerDeps {
  config: ProcessorConfig;
  db: Db;
  /** The replica (DATABASE_READ_URL) for the queued jobs' reads; `db` when absent. */
  readDb?: Db;
  logger: Logger;
  /** The processor's /metrics registry; pipeline metrics are registered on it. */
  registry?: Registry;
  /** External clients; built from the config when absent (tests pass fakes). */
  clients?: WorkerClients;
  /** Replaces the sales refresh (tests, benchmarks). */
  refreshSales?: RefreshSales;
  /** Sends the mail; built from SMTP_* when absent, and no mail is sent without SMTP_HOST. */
  mailer?: Mailer;
  now?: () => Date;
}

/**
 * Worker mode: the outbox relay and the consumers (consumers/) over a transport (messaging/:
 * RabbitMQ when AMQP_URL is set, else the database), and the timed tasks (tasks/).
 */
export async function startWorker(deps: WorkerDeps): Promise<WorkerHandle> {
  const { config, db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const clients = deps.clients ?? createPipelineClients(config, logger);
  const mailer = deps.mailer ?? createConfiguredMailer(config);
  if (!mailer) logger.warn("SMTP_HOST is not set: no mail is sent");
  const consumers = createConsumers(config, clients, deps.refreshSales ?? refreshSalesForOrders, mailer);
  const metrics = createPipelineMetrics(deps.registry ?? new Registry(), db);
  const policy = { delaysMs: config.EVENT_RETRY_DELAYS_MS, maxAttempts: config.EVENT_MAX_ATTEMPTS };
  const relayDb = createDb(config.DATABASE_URL, { maxConnections: 2 });
  const common = { db, relayDb, logger, now, consumers, policy, metrics, prefetch: config.AMQP_PREFETCH, deliveryLimit: config.EVENT_DELIVERY_LIMIT, batchSize: config.OUTBOX_BATCH_SIZE, pollMs: config.OUTBOX_POLL_MS };

  const transport: Transport = config.AMQP_URL
    ? createAmqpTransport({ ...common, url: config.AMQP_URL, exchange: config.AMQP_EXCHANGE, queuePrefix: config.AMQP_QUEUE_PREFIX })
    : createDbTransport({ ...common, leaseMs: config.EVENT_LEASE_MS });
  await transport.start();
  const tasks = startTasks({ config, db, readDb: deps.readDb ?? db, logger, clients, now });
  logger.info({ transport: config.AMQP_URL ? "amqp" : "database", consumers: consumers.map((c) => c.name) }, "worker started");

  return {
    async stop() {
      await tasks.stop();
      await transport.stop();
      await relayDb.$disconnect();
      mailer?.close();
      logger.info("worker stopped");
    },
  };
}
