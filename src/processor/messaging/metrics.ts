import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { Db } from "~/lib/db";

/** Pipeline metrics; the worker registers them on the processor's /metrics registry. */
export interface PipelineMetrics {
  /** Seconds from an event's occurredAt to the broker's confirm (or the fan-out, database transport). */
  publishLatency: Histogram<never>;
  published: Counter<never>;
  publishFailures: Counter<never>;
  /** Seconds from occurredAt to a consumer finishing the event. */
  consumerLag: Histogram<"consumer">;
  messages: Counter<"consumer" | "outcome">;
  retries: Counter<"consumer">;
  deadLetters: Counter<"consumer">;
  /** Messages waiting in each consumer's queue (AMQP; the database transport has lavka_event_deliveries_pending). */
  queueDepth: Gauge<"consumer" | "queue">;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export function createPipelineMetrics(registry: Registry, db: Db): PipelineMetrics {
  new Gauge({
    name: "lavka_outbox_backlog",
    help: "Outbox events not yet published",
    registers: [registry],
    async collect() {
      this.set(await db.outboxEvent.count({ where: { publishedAt: null } }));
    },
  });
  new Gauge({
    name: "lavka_event_deliveries_pending",
    help: "Database-transport deliveries waiting or in progress, per consumer",
    labelNames: ["consumer"],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.eventDelivery.groupBy({ by: ["consumer"], where: { status: { in: ["pending", "processing"] } }, _count: { _all: true } });
      for (const row of rows) this.set({ consumer: row.consumer }, row._count._all);
    },
  });
  return {
    publishLatency: new Histogram({
      name: "lavka_outbox_publish_latency_seconds",
      help: "Time from an event being written to the outbox to the broker confirming it",
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    published: new Counter({ name: "lavka_outbox_published_total", help: "Outbox events published", registers: [registry] }),
    publishFailures: new Counter({ name: "lavka_outbox_publish_failures_total", help: "Relay batches that failed to publish", registers: [registry] }),
    consumerLag: new Histogram({
      name: "lavka_consumer_lag_seconds",
      help: "Time from an event being written to a consumer finishing it",
      labelNames: ["consumer"],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    messages: new Counter({
      name: "lavka_consumer_messages_total",
      help: "Messages handled, by consumer and outcome (done, duplicate, ignored, retry, dead)",
      labelNames: ["consumer", "outcome"],
      registers: [registry],
    }),
    retries: new Counter({ name: "lavka_consumer_retries_total", help: "Messages scheduled for a retry", labelNames: ["consumer"], registers: [registry] }),
    deadLetters: new Counter({ name: "lavka_dead_letters_total", help: "Messages dead-lettered", labelNames: ["consumer"], registers: [registry] }),
    queueDepth: new Gauge({
      name: "lavka_consumer_queue_depth",
      help: "Messages ready in a consumer's queue (main, retry or dead), sampled every few seconds",
      labelNames: ["consumer", "queue"],
      registers: [registry],
    }),
  };
}
