import { startLoop, type Loop } from "../tasks/loop";
import { createBrokerConnection } from "./amqp/connection";
import { createAmqpConsumers } from "./amqp/consume";
import { createRelayPass } from "./amqp/publish";
import { declareTopology, type TopologyNames } from "./amqp/topology";
import type { Transport, TransportOptions } from "./transport";

export interface AmqpTransportOptions extends TransportOptions, TopologyNames {
  url: string;
  /** How long a publish may wait for the broker's confirm before the batch is given up. */
  confirmTimeoutMs?: number;
}

/**
 * RabbitMQ transport: ONE connection per process (amqp/connection.ts); a confirm channel for
 * publishing (amqp/publish.ts); one channel per consumer with prefetch and manual acks
 * (amqp/consume.ts). On connection loss it reconnects with backoff, re-declares the topology
 * (amqp/topology.ts) and resumes consuming. Unacked messages of a lost channel are redelivered
 * by the broker, so a message is acked only after its outcome is durable.
 */
export function createAmqpTransport(options: AmqpTransportOptions): Transport {
  const log = options.logger.child({ transport: "amqp" });
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 15_000;
  let relay: Loop | null = null;

  const consumers = createAmqpConsumers({ ...options, logger: log, names: options, confirmTimeoutMs, onCommitted: () => relay?.wake() });
  const broker = createBrokerConnection({
    url: options.url,
    logger: log,
    setup: async (session, restart) => {
      await declareTopology(session.publish, options, options.consumers, options.policy.delaysMs);
      return consumers.subscribe(session, restart);
    },
    onReconnected: () => relay?.wake(),
  });
  const relayPass = createRelayPass({ ...options, logger: log, names: options, confirmTimeoutMs, current: broker.current });

  return {
    async start() {
      await broker.start();
      relay = startLoop(relayPass, { name: "outbox-relay", logger: log, idleMs: options.pollMs });
    },
    async stop() {
      // 1. stop taking new messages, 2. stop relaying, 3. finish in-flight, 4. close.
      const current = await broker.halt();
      if (current) await consumers.cancel(current);
      log.info("consumers cancelled: no new messages are taken; finishing those in flight");
      await relay?.stop();
      await consumers.drain();
      await broker.close(current);
      log.info("amqp transport stopped");
    },
  };
}
