import { z } from "zod";
import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import { createInventoryClient } from "~/core/integrations/inventory";
import { loadProcessorConfig, type ProcessorConfig } from "../config";
import type { PipelineClients } from "../pipeline-clients";
import { runOrderExpiry } from "../tasks/expiry";
import { defineJob } from "./types";

const DAY_MS = 86_400_000;
/** Rows deleted per statement: short transactions, so the relay and consumers are never held up. */
export const PRUNE_BATCH_SIZE = 1_000;

/**
 * Deletes one batch of published outbox events published before `cutoff`. Kept: unpublished
 * events, events with a delivery still pending or processing (database transport), and events
 * an open dead letter points at (replay needs them). Their done/dead EventDelivery rows go with
 * them (ON DELETE CASCADE). SKIP LOCKED: rows the relay or a replay holds are left for next time.
 */
export async function pruneOutboxBatch(db: Db, cutoff: Date, batchSize = PRUNE_BATCH_SIZE): Promise<number> {
  return db.$executeRaw`
    WITH doomed AS (
      SELECT e.id FROM "OutboxEvent" e
      WHERE e."publishedAt" IS NOT NULL AND e."publishedAt" < ${cutoff}
        AND NOT EXISTS (SELECT 1 FROM "EventDelivery" d WHERE d."eventId" = e.id AND d.status IN ('pending', 'processing'))
        AND NOT EXISTS (SELECT 1 FROM "DeadLetter" l WHERE l."eventId" = e.id::text AND l."replayedAt" IS NULL)
      ORDER BY e."publishedAt"
      LIMIT ${batchSize}
      FOR UPDATE OF e SKIP LOCKED
    )
    DELETE FROM "OutboxEvent" e USING doomed WHERE e.id = doomed.id`;
}

export const pruneOutboxJob = defineJob({
  name: "prune-outbox",
  description: "Delete published outbox events older than --older-than-days (default 7), in batches; never unpublished or still-delivering ones",
  params: z.object({ "older-than-days": z.coerce.number().int().min(1).max(3_650).default(7) }).strict(),
  schedule: "50 3 * * *",
  run: async (ctx, params) => {
    const cutoff = new Date(ctx.now().getTime() - params["older-than-days"] * DAY_MS);
    // At most this many go (some are kept: still delivering, or a dead letter points at them).
    const [{ candidates }] = await ctx.db.$queryRaw<[{ candidates: number }]>`
      SELECT count(*)::int AS candidates FROM "OutboxEvent" WHERE "publishedAt" < ${cutoff}`;
    let rows = 0;
    let batches = 0;
    await ctx.progress(0, candidates, "events");
    for (;;) {
      const deleted = await pruneOutboxBatch(ctx.db, cutoff);
      rows += deleted;
      batches += 1;
      await ctx.progress(Math.min(rows, candidates), candidates, "events");
      if (deleted < PRUNE_BATCH_SIZE || ctx.signal.aborted) break;
    }
    ctx.logger.info({ rows, batches, cutoff }, "outbox pruned");
    return { rows, summary: { cutoff: cutoff.toISOString(), batches } };
  },
});

/**
 * The worker's order expiry as a job (`processor job expire-orders`): the same runOrderExpiry
 * the worker's loop calls, with the same configuration (ORDER_PAYMENT_TIMEOUT_MINUTES, the
 * inventory service). `deps` replaces the configuration and client in tests.
 */
export function createExpireOrdersJob(deps: { config?: ProcessorConfig; inventory?: PipelineClients["inventory"] } = {}) {
  return defineJob({
    name: "expire-orders",
    description: "Cancel unpaid orders past the payment timeout or with an expired reservation, and expire stale reservations (what the worker runs every EXPIRY_INTERVAL_MS)",
    params: z.object({}).strict(),
    run: async (ctx) => {
      const config = deps.config ?? loadProcessorConfig();
      const inventory = deps.inventory ?? inventoryFromConfig(config, ctx.logger);
      let cancelled = 0;
      let reservationsExpired = 0;
      // One pass handles a batch; a backlog (the worker was down) takes several.
      for (;;) {
        const pass = await runOrderExpiry({ db: ctx.db, logger: ctx.logger, config, inventory, now: ctx.now });
        cancelled += pass.cancelled;
        reservationsExpired += pass.reservationsExpired;
        if (!pass.more || ctx.signal.aborted) break;
      }
      return { rows: cancelled, summary: { cancelled, reservationsExpired } };
    },
  });
}

function inventoryFromConfig(config: ProcessorConfig, logger: Logger) {
  if (!config.INVENTORY_SERVICE_URL || !config.INVENTORY_SERVICE_TOKEN) {
    throw new Error("expire-orders needs INVENTORY_SERVICE_URL and INVENTORY_SERVICE_TOKEN (the inventory service releases the stock)");
  }
  return createInventoryClient({ baseUrl: config.INVENTORY_SERVICE_URL, serviceToken: config.INVENTORY_SERVICE_TOKEN, logger: logger.child({ client: "inventory-expiry" }) });
}

export const expireOrdersJob = createExpireOrdersJob();
