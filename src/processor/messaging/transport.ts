import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import type { Consumer, RetryPolicy } from "./consumer";
import type { PipelineMetrics } from "./metrics";

/** How events reach consumers: RabbitMQ, or the database when no broker is configured. */
export interface Transport {
  /** Starts relaying the outbox and consuming; resolves once started (a broker that is down is retried in the background). */
  start(): Promise<void>;
  /** Stops taking new messages, finishes the in-flight ones, closes connections. */
  stop(): Promise<void>;
}

/** What every transport is built from; each adds its own settings. */
export interface TransportOptions {
  db: Db;
  /** The relay's own small pool, so busy consumers never starve it of connections. */
  relayDb: Db;
  logger: Logger;
  now: () => Date;
  consumers: readonly Consumer[];
  policy: RetryPolicy;
  metrics: PipelineMetrics;
  /** Messages one consumer works on at once. */
  prefetch: number;
  /**
   * Deliveries of one message that end with no outcome (the worker died holding it) before it is
   * dead-lettered without being handled again (EVENT_DELIVERY_LIMIT).
   */
  deliveryLimit: number;
  /** Outbox events relayed per batch. */
  batchSize: number;
  /** Relay poll interval when idle. */
  pollMs: number;
}
