import { Registry } from "prom-client";
import { createDb, type Db } from "~/lib/db";
import { ConfigError } from "~/lib/env";
import type { Logger } from "~/lib/logger";
import { createCarrierClient } from "~/core/integrations/carrier";
import { createInventoryClient } from "~/core/integrations/inventory";
import { createPaymentClient } from "~/core/integrations/payment";
import { refreshSalesForOrders } from "../core/domain/analytics/sales";
import type { ProcessorConfig } from "./config";
import { QUEUED_JOBS_POLL_MS, runQueuedJobs } from "./tasks/queued-jobs";
import { createAnalyticsConsumer, type RefreshSales } from "./consumers/analytics";
import type { PipelineClients } from "./pipeline-clients";
import { runOrderExpiry } from "./tasks/expiry";
import { createFulfilmentConsumer } from "./consumers/fulfilment";
import { configuredMailConsumer, createConfiguredMailer } from "./consumers/mail";
import type { Mailer } from "~/core/integrations/mail";
import { createPaymentsConsumer } from "./consumers/payments";
import { createReservationsConsumer } from "./consumers/reservations";
import { pollStaleShipments } from "./tasks/tracking";
import { createAmqpTransport } from "./messaging/amqp-transport";
import type { Consumer } from "./messaging/consumer";
import { createDbTransport } from "./messaging/db-transport";
import { createPipelineMetrics } from "./messaging/metrics";
import { startLoop } from "./messaging/relay";
import type { Transport } from "./messaging/transport";

export interface WorkerHandle {
  /** Stops taking new messages, finishes in-flight ones, closes connections. */
  stop(): Promise<void>;
}

export interface WorkerDeps {
  config: ProcessorConfig;
  db: Db;
  logger: Logger;
  /** The processor's /metrics registry; pipeline metrics are registered on it. */
  registry?: Registry;
  /** External clients; built from the config when absent (tests pass fakes). */
  clients?: PipelineClients;
  /** Replaces the sales refresh (tests, benchmarks). */
  refreshSales?: RefreshSales;
  /** Sends the mail; built from SMTP_* when absent, and no mail is sent without SMTP_HOST. */
  mailer?: Mailer;
  now?: () => Date;
}

/** The worker's clients; names every missing variable at once when the configuration lacks them. */
export function createClients(config: ProcessorConfig, logger: Logger): PipelineClients & { expiryInventory: PipelineClients["inventory"] } {
  const need = ["PAYMENT_GATEWAY_URL", "PAYMENT_GATEWAY_KEY", "INVENTORY_SERVICE_URL", "INVENTORY_SERVICE_TOKEN", "CARRIER_URL", "CARRIER_API_KEY"] as const;
  const missing = need.filter((key) => !config[key]);
  if (missing.length > 0) {
    throw new ConfigError(`Invalid configuration for processor worker:\n${missing.map((key) => `  ${key}: required in worker mode`).join("\n")}`);
  }
  return {
    payment: createPaymentClient({ baseUrl: config.PAYMENT_GATEWAY_URL!, serviceToken: config.PAYMENT_GATEWAY_KEY!, logger: logger.child({ client: "payment" }) }),
    inventory: createInventoryClient({ baseUrl: config.INVENTORY_SERVICE_URL!, serviceToken: config.INVENTORY_SERVICE_TOKEN!, logger: logger.child({ client: "inventory" }) }),
    // Its own circuit breaker: a failing housekeeping endpoint must not stall payments' stock commits.
    expiryInventory: createInventoryClient({ baseUrl: config.INVENTORY_SERVICE_URL!, serviceToken: config.INVENTORY_SERVICE_TOKEN!, logger: logger.child({ client: "inventory-expiry" }) }),
    carrier: createCarrierClient({ baseUrl: config.CARRIER_URL!, serviceToken: config.CARRIER_API_KEY!, logger: logger.child({ client: "carrier" }) }),
  };
}

export function createConsumers(config: ProcessorConfig, clients: PipelineClients, refreshSales: RefreshSales, mailer: Mailer | null = null): Consumer[] {
  return [
    createPaymentsConsumer({ clients, defaultCardToken: config.PAYMENT_DEFAULT_CARD_TOKEN }),
    createReservationsConsumer(clients),
    createFulfilmentConsumer({ clients, carrierName: config.CARRIER_NAME }),
    createAnalyticsConsumer({ refresh: refreshSales }),
    ...(mailer ? [configuredMailConsumer(config, mailer)] : []),
  ];
}

/**
 * Worker mode: the outbox relay, the consumers (over RabbitMQ when AMQP_URL is set, else over
 * the database) and the scheduled pipeline passes (unpaid-order expiry, tracking polls).
 */
export async function startWorker(deps: WorkerDeps): Promise<WorkerHandle> {
  const { config, db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const clients: PipelineClients & { expiryInventory?: PipelineClients["inventory"] } = deps.clients ?? createClients(config, logger);
  const mailer = deps.mailer ?? createConfiguredMailer(config);
  if (!mailer) logger.warn("SMTP_HOST is not set: no mail is sent");
  const consumers = createConsumers(config, clients, deps.refreshSales ?? refreshSalesForOrders, mailer);
  const metrics = createPipelineMetrics(deps.registry ?? new Registry(), db);
  const policy = { delaysMs: config.EVENT_RETRY_DELAYS_MS, maxAttempts: config.EVENT_MAX_ATTEMPTS };
  const relayDb = createDb(config.DATABASE_URL, { maxConnections: 2 });
  const common = { db, relayDb, logger, now, consumers, policy, metrics, prefetch: config.AMQP_PREFETCH, batchSize: config.OUTBOX_BATCH_SIZE, pollMs: config.OUTBOX_POLL_MS };

  const transport: Transport = config.AMQP_URL
    ? createAmqpTransport({ ...common, url: config.AMQP_URL, exchange: config.AMQP_EXCHANGE, queuePrefix: config.AMQP_QUEUE_PREFIX })
    : createDbTransport({ ...common, leaseMs: config.EVENT_LEASE_MS });
  await transport.start();

  const scheduled = [
    startLoop(
      async () => {
        // A full batch means a backlog: run again at once instead of waiting the interval.
        return (await runOrderExpiry({ db, logger, config, inventory: clients.expiryInventory ?? clients.inventory, now })).more;
      },
      { name: "order-expiry", logger, idleMs: config.EXPIRY_INTERVAL_MS },
    ),
    startLoop(
      async () => {
        await pollStaleShipments({ db, logger, clients, staleMs: config.TRACKING_STALE_MINUTES * 60_000, now });
        return false;
      },
      { name: "tracking-poll", logger, idleMs: config.TRACKING_POLL_INTERVAL_MS },
    ),
    startLoop(() => runQueuedJobs({ db, logger, now }).then(() => false), { name: "queued-jobs", logger, idleMs: QUEUED_JOBS_POLL_MS }),
  ];
  logger.info({ transport: config.AMQP_URL ? "amqp" : "database", consumers: consumers.map((c) => c.name) }, "worker started");
  return {
    async stop() {
      await Promise.all(scheduled.map((loop) => loop.stop()));
      await transport.stop();
      await relayDb.$disconnect();
      mailer?.close();
      logger.info("worker stopped");
    },
  };
}
