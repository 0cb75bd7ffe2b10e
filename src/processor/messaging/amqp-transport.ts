import { startLoop, type Loop } from "../tasks/loop";
import { createBrokerConnection } from "./amqp/connection";
import { createAmqpConsumers } from "./amqp/consume";
import { migrateClassicQueues } from "./amqp/migrate-classic";
import { createRelayPass } from "./amqp/publish";
import { declareTopology, type TopologyNames } from "./amqp/topology";
import type { Transport, TransportOptions } from "./transport";

export interface AmqpTransportOptions extends TransportOptions, TopologyNames {
  url: string;
  /** How long a publish may wait for the broker's confirm before the batch is given up. */
  confirmTimeoutMs?: number;
}

/** How often the classic queues of earlier releases are looked for again (a rolling update converges). */
const CLASSIC_MIGRATION_INTERVAL_MS = 60_000;

/**
 * RabbitMQ transport: ONE connection per process (amqp/connection.ts); a confirm channel for
 * publishing (amqp/publish.ts); one channel per consumer with prefetch and manual acks
 * (amqp/consume.ts). On connection loss it reconnects with backoff, re-declares the topology
 * (amqp/topology.ts) and resumes consuming. Unacked messages of a lost channel are redelivered
 * by the broker, so a message is acked only after its outcome is durable. Messages left in the
 * classic queues of earlier releases are moved into the quorum queues (amqp/migrate-classic.ts).
 */
export function createAmqpTransport(options: AmqpTransportOptions): Transport {
  const log = options.logger.child({ transport: "amqp" });
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 15_000;
  let relay: Loop | null = null;
  let migration: Loop | null = null;

  const consumers = createAmqpConsumers({ ...options, logger: log, names: options, confirmTimeoutMs, onCommitted: () => relay?.wake() });
  const broker = createBrokerConnection({
    url: options.url,
    logger: log,
    setup: async (session, restart) => {
      await declareTopology(session.connection, session.publish, {
        names: options,
        consumers: options.consumers,
        retryDelaysMs: options.policy.delaysMs,
        deliveryLimit: options.deliveryLimit,
        logger: log,
      });
      return consumers.subscribe(session, restart);
    },
    onReconnected: () => {
      relay?.wake();
      migration?.wake();
    },
  });
  const relayPass = createRelayPass({ ...options, logger: log, names: options, confirmTimeoutMs, current: broker.current });
  const migrationPass = async () => {
    const session = broker.current();
    if (session) {
      await migrateClassicQueues(session.connection, { names: options, consumers: options.consumers, retryDelaysMs: options.policy.delaysMs, logger: log, confirmTimeoutMs });
    }
    return false;
  };

  return {
    async start() {
      await broker.start();
      relay = startLoop(relayPass, { name: "outbox-relay", logger: log, idleMs: options.pollMs });
      migration = startLoop(migrationPass, { name: "classic-queue-migration", logger: log, idleMs: CLASSIC_MIGRATION_INTERVAL_MS });
    },
    async stop() {
      // 1. stop taking new messages, 2. stop relaying, 3. finish in-flight, 4. close.
      const current = await broker.halt();
      if (current) await consumers.cancel(current);
      log.info("consumers cancelled: no new messages are taken; finishing those in flight");
      await Promise.all([relay?.stop(), migration?.stop()]);
      await consumers.drain();
      await broker.close(current);
      log.info("amqp transport stopped");
    },
  };
}
