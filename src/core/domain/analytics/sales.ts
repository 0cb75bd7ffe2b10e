// Sales aggregation, computed entirely inside PostgreSQL.
//
// What counts: orders whose status is paid, fulfilling, shipped or delivered (pending and
// cancelled orders do not), bucketed by `placedAt` in UTC. A buyer is "returning" on an order
// when they have an earlier counted order anywhere on Lavka.
//
// The unit of recomputation is the UTC day: every hour of an affected day is rebuilt from the
// orders (delete + insert), together with that day's daily rows. Distinct counts (orders,
// buyers) do not add up across buckets, so nothing is derived from other aggregates.
import type { Db } from "~/lib/db";
import { COUNTED_ORDER_STATUSES } from "../lifecycle";
import { withAdvisoryLock, type Tx } from "./lock";

/**
 * The counted-order rule in SQL, for the analytics statements: `countedOrder("o")` is
 * `o.status IN ('paid', ...)`, spelled from the lifecycle's COUNTED_ORDER_STATUSES so the rule is written once.
 */
export function countedOrder(alias: string): string {
  return `${alias}.status IN (${COUNTED_ORDER_STATUSES.map((status) => `'${status}'`).join(", ")})`;
}

/** SQL: order `alias`'s buyer has an earlier counted order anywhere on Lavka (ties on placedAt broken by id). */
export function returningOrder(alias: string): string {
  return `EXISTS (SELECT 1 FROM "Order" p WHERE p."buyerId" = ${alias}."buyerId" AND ${countedOrder("p")}
                    AND (p."placedAt", p.id) < (${alias}."placedAt", ${alias}.id))`;
}
export const SALES_LOCK = "aggregate-sales";
export const SALES_WATERMARK = "aggregate-sales";
const DAY_MS = 86_400_000;
/** Late rows: re-read changes this far behind the watermark (clock skew, slow transactions). */
export const WATERMARK_OVERLAP_MS = 10 * 60_000;
/** Days rebuilt per statement batch; bounds the temporary table on a full rebuild. */
const DAYS_PER_BATCH = 31;

export interface SalesRunOptions {
  now: Date;
  signal?: AbortSignal;
  /** Days rebuilt per batch (default 31). */
  daysPerBatch?: number;
  /** Called after each batch of days (tests inject failures here). */
  onBatch?: (batch: { from: Date; to: Date; rows: number }) => void | Promise<void>;
  /** Days rebuilt so far of the days to rebuild: before the first batch and after each. */
  onProgress?: (daysDone: number, daysTotal: number) => void | Promise<void>;
}

export interface SalesRunResult {
  skipped: boolean;
  mode: "full" | "incremental" | "backfill" | "orders";
  /** UTC days rebuilt (each with its 24 hours). */
  days: number;
  /** Rows written to SalesHourly and SalesRollup. */
  rows: number;
  watermark?: string;
}

export function startOfUtcDay(t: Date): Date {
  return new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS);
}

/** Consecutive days merged into [start, end) ranges, at most `maxDays` long each. */
export function dayRanges(days: Date[], maxDays = DAYS_PER_BATCH): { from: Date; to: Date }[] {
  const sorted = [...new Set(days.map((d) => startOfUtcDay(d).getTime()))].sort((a, b) => a - b);
  const ranges: { from: Date; to: Date }[] = [];
  for (const t of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last.to.getTime() === t && (t - last.from.getTime()) / DAY_MS < maxDays) last.to = new Date(t + DAY_MS);
    else ranges.push({ from: new Date(t), to: new Date(t + DAY_MS) });
  }
  return ranges;
}

/**
 * Rebuilds SalesHourly and SalesRollup for every hour of the given UTC days, inside `tx`.
 * Returns the number of rows written.
 */
export async function rebuildDays(tx: Tx, ranges: { from: Date; to: Date }[], now: Date): Promise<number> {
  if (ranges.length === 0) return 0;
  const starts = ranges.map((r) => r.from.toISOString());
  const ends = ranges.map((r) => r.to.toISOString());
  await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS pg_temp.sales_lines`);
  // Order lines of counted orders in the ranges, each with its order's returning flag, computed
  // once and reused by the hourly and the rollup inserts.
  await tx.$executeRawUnsafe(
    `CREATE TEMP TABLE sales_lines ON COMMIT DROP AS
     WITH o AS (
       SELECT o.id, o."buyerId", o."placedAt",
              ${returningOrder("o")} AS is_returning
       FROM unnest($1::timestamptz[], $2::timestamptz[]) AS r(s, e)
       JOIN "Order" o ON o."placedAt" >= r.s AND o."placedAt" < r.e
       WHERE ${countedOrder("o")}
     )
     SELECT date_trunc('hour', o."placedAt", 'UTC') AS hour,
            date_trunc('day', o."placedAt", 'UTC') AS day,
            o.id AS order_id, o."buyerId" AS buyer_id, o.is_returning,
            l."productId" AS product_id, p."sellerId" AS seller_id, p."categoryId" AS category_id,
            COALESCE(p."categoryId"::text, '') AS category_key,
            l.currency, l.quantity, l."lineTotalMinor" AS line_total
     FROM o
     JOIN "OrderLine" l ON l."orderId" = o.id
     JOIN "Product" p ON p.id = l."productId"`,
    starts,
    ends,
  );
  await tx.$executeRawUnsafe(
    `DELETE FROM "SalesHourly" h USING unnest($1::timestamptz[], $2::timestamptz[]) AS r(s, e)
     WHERE h.hour >= r.s AND h.hour < r.e`,
    starts,
    ends,
  );
  await tx.$executeRawUnsafe(
    `DELETE FROM "SalesRollup" x USING unnest($1::timestamptz[], $2::timestamptz[]) AS r(s, e)
     WHERE x.grain IN ('hour', 'day') AND x.bucket >= r.s AND x.bucket < r.e`,
    starts,
    ends,
  );
  const hourly = await tx.$executeRawUnsafe(
    `INSERT INTO "SalesHourly" (hour, "productId", "sellerId", "categoryId", currency, units, "revenueMinor",
                                orders, buyers, "returningBuyers", "updatedAt")
     SELECT hour, product_id, seller_id, category_id, currency, sum(quantity)::int, sum(line_total)::bigint,
            count(DISTINCT order_id)::int, count(DISTINCT buyer_id)::int,
            count(DISTINCT buyer_id) FILTER (WHERE is_returning)::int, $1::timestamptz
     FROM sales_lines
     GROUP BY hour, product_id, seller_id, category_id, currency`,
    now.toISOString(),
  );
  // One pass for every rollup: seller/category/total per hour, product/seller/category/total per day.
  const rollups = await tx.$executeRawUnsafe(
    `INSERT INTO "SalesRollup" (grain, dimension, key, bucket, currency, units, "revenueMinor", orders, buyers,
                                "returningBuyers", "updatedAt")
     SELECT (CASE WHEN GROUPING(hour) = 0 THEN 'hour' ELSE 'day' END)::"SalesGrain",
            (CASE WHEN GROUPING(product_id) = 0 THEN 'product'
                  WHEN GROUPING(seller_id) = 0 THEN 'seller'
                  WHEN GROUPING(category_key) = 0 THEN 'category'
                  ELSE 'total' END)::"SalesDimension",
            CASE WHEN GROUPING(product_id) = 0 THEN product_id::text
                 WHEN GROUPING(seller_id) = 0 THEN seller_id::text
                 WHEN GROUPING(category_key) = 0 THEN category_key
                 ELSE '' END,
            CASE WHEN GROUPING(hour) = 0 THEN hour ELSE day END,
            currency, sum(quantity)::int, sum(line_total)::bigint,
            count(DISTINCT order_id)::int, count(DISTINCT buyer_id)::int,
            count(DISTINCT buyer_id) FILTER (WHERE is_returning)::int, $1::timestamptz
     FROM sales_lines
     GROUP BY currency, GROUPING SETS ((hour, seller_id), (hour, category_key), (hour),
                                       (day, product_id), (day, seller_id), (day, category_key), (day))`,
    now.toISOString(),
  );
  await tx.$executeRawUnsafe(`DROP TABLE pg_temp.sales_lines`);
  return hourly + rollups;
}

async function rebuildInBatches(tx: Tx, days: { from: Date; to: Date }[], options: SalesRunOptions): Promise<number> {
  const daysOf = (range: { from: Date; to: Date }) => Math.round((range.to.getTime() - range.from.getTime()) / DAY_MS);
  const total = days.reduce((n, range) => n + daysOf(range), 0);
  let done = 0;
  let rows = 0;
  await options.onProgress?.(0, total);
  for (const range of days) {
    options.signal?.throwIfAborted();
    const written = await rebuildDays(tx, [range], options.now);
    rows += written;
    done += daysOf(range);
    await options.onBatch?.({ ...range, rows: written });
    await options.onProgress?.(done, total);
  }
  return rows;
}

/** Every day that has orders, in ranges. */
async function allOrderDays(tx: Tx, perBatch: number): Promise<{ from: Date; to: Date }[]> {
  const rows = await tx.$queryRawUnsafe<{ first: Date | null; last: Date | null }[]>(
    `SELECT date_trunc('day', min("placedAt"), 'UTC') AS first, date_trunc('day', max("placedAt"), 'UTC') AS last FROM "Order"`,
  );
  const { first, last } = rows[0] ?? { first: null, last: null };
  if (!first || !last) return [];
  const out: { from: Date; to: Date }[] = [];
  for (let t = first.getTime(); t <= last.getTime(); t += perBatch * DAY_MS) {
    out.push({ from: new Date(t), to: new Date(Math.min(t + perBatch * DAY_MS, last.getTime() + DAY_MS)) });
  }
  return out;
}

/**
 * Days whose figures may have changed since `since`: the day of every order updated after it,
 * and the days of the same buyers' later orders (whose "returning" flag depends on it).
 */
async function changedDays(tx: Tx, since: Date): Promise<Date[]> {
  const rows = await tx.$queryRawUnsafe<{ day: Date }[]>(
    `SELECT DISTINCT date_trunc('day', later."placedAt", 'UTC') AS day
     FROM "Order" c
     JOIN "Order" later ON later."buyerId" = c."buyerId" AND later."placedAt" >= c."placedAt"
     WHERE c."updatedAt" > $1::timestamptz`,
    since.toISOString(),
  );
  return rows.map((r) => r.day);
}

/**
 * The hourly job: the first run rebuilds everything; later runs rebuild only the days touched
 * by orders changed since the watermark (new orders, payments, cancellations). One run at a
 * time: a run that finds the lock taken returns `skipped` and changes nothing.
 */
export async function aggregateSales(db: Db, options: SalesRunOptions): Promise<SalesRunResult> {
  const locked = await withAdvisoryLock(db, SALES_LOCK, async (tx) => {
    const mark = await tx.jobWatermark.findUnique({ where: { name: SALES_WATERMARK }, select: { value: true } });
    let result: SalesRunResult;
    if (!mark) {
      // No watermark: rebuild from scratch, dropping rows of days that no longer have orders.
      await tx.$executeRawUnsafe(`DELETE FROM "SalesHourly"`);
      await tx.$executeRawUnsafe(`DELETE FROM "SalesRollup" WHERE grain IN ('hour', 'day')`);
      const ranges = await allOrderDays(tx, options.daysPerBatch ?? DAYS_PER_BATCH);
      const rows = await rebuildInBatches(tx, ranges, options);
      const days = ranges.reduce((n, r) => n + (r.to.getTime() - r.from.getTime()) / DAY_MS, 0);
      result = { skipped: false, mode: "full", days, rows };
    } else {
      const days = await changedDays(tx, new Date(mark.value.getTime() - WATERMARK_OVERLAP_MS));
      const rows = await rebuildInBatches(tx, dayRanges(days, options.daysPerBatch), options);
      result = { skipped: false, mode: "incremental", days: days.length, rows };
    }
    options.signal?.throwIfAborted();
    await tx.jobWatermark.upsert({
      where: { name: SALES_WATERMARK },
      create: { name: SALES_WATERMARK, value: options.now },
      update: { value: options.now },
      select: { name: true },
    });
    return { ...result, watermark: options.now.toISOString() };
  });
  return locked.acquired ? locked.value : { skipped: true, mode: "incremental", days: 0, rows: 0 };
}

/** Recomputes the days from `from` to `to` (inclusive UTC dates); leaves the watermark alone. */
export async function backfillSales(db: Db, range: { from: Date; to: Date }, options: SalesRunOptions): Promise<SalesRunResult> {
  const days: Date[] = [];
  for (let t = startOfUtcDay(range.from).getTime(); t <= startOfUtcDay(range.to).getTime(); t += DAY_MS) days.push(new Date(t));
  const locked = await withAdvisoryLock(db, SALES_LOCK, async (tx) => {
    const rows = await rebuildInBatches(tx, dayRanges(days, options.daysPerBatch), options);
    return { skipped: false, mode: "backfill", days: days.length, rows } satisfies SalesRunResult;
  });
  return locked.acquired ? locked.value : { skipped: true, mode: "backfill", days: 0, rows: 0 };
}

/**
 * Near-real-time entry point for the event consumer: after orders were placed, paid or
 * cancelled, rebuild the days they (and their buyers' later orders) fall in. Waits up to
 * `lockTimeoutMs` for a running job; on timeout it throws, and the consumer retries the
 * event later (the hourly job would pick the change up anyway).
 */
export async function refreshSalesForOrders(db: Db, orderIds: string[], options: { now: Date; lockTimeoutMs?: number }): Promise<SalesRunResult> {
  if (orderIds.length === 0) return { skipped: false, mode: "orders", days: 0, rows: 0 };
  const locked = await withAdvisoryLock(
    db,
    SALES_LOCK,
    async (tx) => {
      const rows = await tx.$queryRawUnsafe<{ day: Date }[]>(
        `SELECT DISTINCT date_trunc('day', later."placedAt", 'UTC') AS day
         FROM "Order" c
         JOIN "Order" later ON later."buyerId" = c."buyerId" AND later."placedAt" >= c."placedAt"
         WHERE c.id = ANY($1::uuid[])`,
        orderIds,
      );
      const written = await rebuildDays(tx, dayRanges(rows.map((r) => r.day)), options.now);
      return { skipped: false, mode: "orders", days: rows.length, rows: written } satisfies SalesRunResult;
    },
    { wait: true, lockTimeoutMs: options.lockTimeoutMs ?? 10_000, timeoutMs: 5 * 60_000 },
  );
  if (!locked.acquired) throw new Error("unreachable: a waiting lock is always acquired or throws");
  return locked.value;
}
