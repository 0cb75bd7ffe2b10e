import type { OutboxRow } from "~/core/events/outbox";
import type { Db, Prisma } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import type { PipelineMetrics } from "./metrics";

/** Where a relayed batch goes: the broker (AMQP) or EventDelivery rows (database transport). */
export type OutboxSink = (rows: OutboxRow[], tx: Prisma.TransactionClient) => Promise<void>;

/**
 * Takes the oldest unpublished outbox rows (by seq), hands them to the sink and marks them
 * published, all in one transaction. FOR UPDATE SKIP LOCKED lets several workers relay at
 * once without taking the same rows; if the sink fails (broker gone, no confirm) the
 * transaction rolls back and the rows are taken again later, so an event may be published
 * twice but never lost: consumers are idempotent.
 *
 * The transaction stays open while the broker confirms: that is the point (a row is marked
 * published only after the confirm), the wait is bounded by the sink's own timeout, and the
 * broker never calls back into the database.
 */
export async function relayBatch(db: Db, batchSize: number, sink: OutboxSink, metrics: PipelineMetrics, logger: Logger): Promise<number> {
  let claimed: string[] = [];
  // Idle polls cost one cheap query instead of a transaction.
  const waiting = await db.$queryRaw<unknown[]>`SELECT 1 FROM "OutboxEvent" WHERE "publishedAt" IS NULL LIMIT 1`;
  if (waiting.length === 0) return 0;
  try {
    return await db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<OutboxRow[]>`
          SELECT id, seq, type, version, "aggregateType", "aggregateId", payload, "occurredAt", headers
          FROM "OutboxEvent" WHERE "publishedAt" IS NULL
          ORDER BY seq LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return 0;
        claimed = rows.map((r) => r.id);
        const started = performance.now();
        await sink(rows, tx);
        const publishedAt = new Date();
        logger.debug({ events: rows.length, sinkMs: Math.round(performance.now() - started) }, "outbox batch handed over");
        await tx.$executeRaw`
          UPDATE "OutboxEvent" SET "publishedAt" = ${publishedAt}, "publishAttempts" = "publishAttempts" + 1, "lastError" = NULL
          WHERE id = ANY(${claimed}::uuid[])`;
        for (const row of rows) metrics.publishLatency.observe(Math.max(0, publishedAt.getTime() - row.occurredAt.getTime()) / 1000);
        metrics.published.inc(rows.length);
        return rows.length;
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
  } catch (err) {
    metrics.publishFailures.inc();
    const message = err instanceof Error ? err.message : String(err);
    logger.warn({ events: claimed.length, reason: message }, "outbox relay batch failed; will retry");
    if (claimed.length > 0) {
      await db.$executeRaw`
        UPDATE "OutboxEvent" SET "publishAttempts" = "publishAttempts" + 1, "lastError" = ${message.slice(0, 1_000)}
        WHERE id = ANY(${claimed}::uuid[]) AND "publishedAt" IS NULL`.catch(() => undefined);
    }
    throw err;
  }
}
