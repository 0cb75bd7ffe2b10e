import type { Db } from "~/lib/db";
import type { Consumer } from "../messaging/consumer";

export type RefreshSales = (db: Db, orderIds: string[], options: { now: Date }) => Promise<unknown>;

export interface AnalyticsConsumerOptions {
  /** Rebuilds the sales figures touched by these orders (src/core/domain/analytics). */
  refresh: RefreshSales;
  /** Paid orders collected before one refresh runs. */
  maxBatch?: number;
  /** Longest wait before a partial batch is refreshed. */
  flushMs?: number;
}

/**
 * order.paid -> near-real-time sales figures. A refresh rebuilds whole days under the sales
 * job's lock, so paid orders are batched: each handler waits for the refresh that includes its
 * order, and its message is acknowledged only after that refresh committed (nothing is lost
 * on a crash; a repeat only recomputes the same figures).
 */
export function createAnalyticsConsumer(options: AnalyticsConsumerOptions): Consumer {
  const maxBatch = options.maxBatch ?? 200;
  const flushMs = options.flushMs ?? 500;
  let pending: { db: Db; ids: string[]; done: Promise<void>; timer: NodeJS.Timeout; run: () => void } | null = null;

  function enqueue(db: Db, orderId: string, now: () => Date): Promise<void> {
    if (!pending) {
      let run!: () => void;
      const batch = { db, ids: [] as string[], timer: undefined as unknown as NodeJS.Timeout, run: () => run(), done: Promise.resolve() };
      batch.done = new Promise<void>((resolve, reject) => {
        run = () => {
          clearTimeout(batch.timer);
          if (pending === batch) pending = null;
          options.refresh(batch.db, batch.ids, { now: now() }).then(() => resolve(), reject);
        };
      });
      batch.timer = setTimeout(batch.run, flushMs);
      pending = batch;
    }
    const batch = pending;
    batch.ids.push(orderId);
    if (batch.ids.length >= maxBatch) batch.run();
    return batch.done;
  }

  return {
    name: "analytics",
    events: ["order.paid"],
    prefetch: maxBatch,
    async handle(event, ctx) {
      if (event.type !== "order.paid") return;
      await enqueue(ctx.db, event.payload.orderId, ctx.now);
    },
  };
}
