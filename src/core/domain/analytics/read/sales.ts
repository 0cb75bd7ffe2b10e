import { DomainError } from "~/core/errors";
import type { Db } from "~/lib/db";
import { minorNumber } from "~/core/money";
import { averageOrderValueMinor, returningShare } from "./figures";

/**
 * Sales figures, read only from the processor's aggregates (SalesRollup per dimension,
 * SalesHourly per product), never from orders: a year of figures costs a few thousand rows.
 * What counts as a sale (paid and later orders, by placedAt, UTC) is the aggregation's rule.
 * Sellers' periods are [from, to), aligned down to the hour (day series: to whole UTC days).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Longest period for totals and rankings. */
export const MAX_PERIOD_DAYS = 3 * 366;
/** Longest series per granularity (hourly: 31 days = 744 points). */
export const MAX_SERIES_DAYS = { hour: 31, day: 3 * 366 } as const;

export type Granularity = "hour" | "day";
export type SalesDimension = "product" | "seller" | "category" | "total";

export interface Period {
  from: Date;
  to: Date;
}

const floorTo = (d: Date, unit: number) => new Date(Math.floor(d.getTime() / unit) * unit);
const ceilTo = (d: Date, unit: number) => new Date(Math.ceil(d.getTime() / unit) * unit);

/** Aligns and checks a period; the error names the field a person has to change. */
export function alignPeriod(input: Period, unit: Granularity, maxDays: number): Period {
  const ms = unit === "hour" ? HOUR_MS : DAY_MS;
  const from = floorTo(input.from, ms);
  const to = ceilTo(input.to, ms);
  if (to.getTime() <= from.getTime()) throw new DomainError("invalid", "must be after from", { field: "to" });
  if (to.getTime() - from.getTime() > maxDays * DAY_MS) {
    throw new DomainError("invalid", `the period may span at most ${maxDays} days`, { field: "to" });
  }
  return { from, to };
}

/** The period of the same length just before `p`. */
export function previousPeriod(p: Period): Period {
  return { from: new Date(2 * p.from.getTime() - p.to.getTime()), to: p.from };
}

export interface SalesTotals {
  revenueMinor: number;
  orders: number;
  units: number;
  /** Average order value (figures.ts: revenue / orders, rounded half up); null without orders. */
  aovMinor: number | null;
}

/**
 * Relative change current vs previous (0.25 = +25%); null when the previous figure is 0, or when
 * the previous period is not comparable (the shop had not started selling when it began).
 */
export interface SalesChange {
  revenue: number | null;
  orders: number | null;
  units: number | null;
  aov: number | null;
}

export interface SalesSummary {
  period: Period;
  previousPeriod: Period;
  /** The hour of the shop's first counted sale; null before it has one. */
  firstSaleAt: Date | null;
  /**
   * Whether the shop was already selling when the previous period began: otherwise that period
   * is partly from before the shop sold anything, and a change against it ("+2,600%") misleads.
   */
  comparable: boolean;
  /** One entry per currency sold in either period (amounts in different currencies never add up). */
  currencies: { currency: string; current: SalesTotals; previous: SalesTotals; change: SalesChange }[];
}

interface SumRow {
  currency: string;
  _sum: { revenueMinor: bigint | null; orders: number | null; units: number | null };
}

function totals(row: SumRow | undefined): SalesTotals {
  const revenueMinor = row?._sum.revenueMinor ?? 0n;
  const orders = row?._sum.orders ?? 0;
  const aovMinor = averageOrderValueMinor(revenueMinor, orders);
  return { revenueMinor: minorNumber(revenueMinor), orders, units: row?._sum.units ?? 0, aovMinor: aovMinor === null ? null : minorNumber(aovMinor) };
}

function change(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return Math.round(((current - previous) / previous) * 10_000) / 10_000;
}

async function sellerTotals(db: Db, sellerId: string, p: Period) {
  // Orders add up across hours (each order is placed in exactly one hour); buyers would not.
  return db.salesRollup.groupBy({
    by: ["currency"],
    where: { dimension: "seller", grain: "hour", key: sellerId, bucket: { gte: p.from, lt: p.to } },
    _sum: { revenueMinor: true, orders: true, units: true },
    orderBy: { currency: "asc" },
  });
}

/** The hour of the seller's first counted sale (an index seek on the rollup's key), or null. */
async function firstSaleAt(db: Db, sellerId: string): Promise<Date | null> {
  const first = await db.salesRollup.findFirst({
    where: { dimension: "seller", grain: "hour", key: sellerId },
    orderBy: { bucket: "asc" },
    select: { bucket: true },
  });
  return first?.bucket ?? null;
}

/** A previous period counts for comparison only when the shop was selling before it began. */
function isComparable(first: Date | null, previous: Period): boolean {
  return first !== null && first.getTime() < previous.from.getTime();
}

export async function salesSummary(db: Db, sellerId: string, input: Period): Promise<SalesSummary> {
  const period = alignPeriod(input, "hour", MAX_PERIOD_DAYS);
  const previous = previousPeriod(period);
  const [now, before, first] = await Promise.all([sellerTotals(db, sellerId, period), sellerTotals(db, sellerId, previous), firstSaleAt(db, sellerId)]);
  const comparable = isComparable(first, previous);
  const currencies = [...new Set([...now, ...before].map((r) => r.currency))].sort();
  const versus = (current: number | null, prev: number | null) => (comparable ? change(current, prev) : null);
  return {
    period,
    previousPeriod: previous,
    firstSaleAt: first,
    comparable,
    currencies: currencies.map((currency) => {
      const current = totals(now.find((r) => r.currency === currency));
      const prev = totals(before.find((r) => r.currency === currency));
      return {
        currency,
        current,
        previous: prev,
        change: {
          revenue: versus(current.revenueMinor, prev.revenueMinor),
          orders: versus(current.orders, prev.orders),
          units: versus(current.units, prev.units),
          aov: versus(current.aovMinor, prev.aovMinor),
        },
      };
    }),
  };
}

/** One bucket of a rollup series, in one currency, with its derived figures. */
export interface RollupPoint {
  bucket: Date;
  currency: string;
  units: number;
  revenueMinor: bigint;
  orders: number;
  buyers: number;
  returningBuyers: number;
  /** Revenue per order in minor units (rounded half up), null without orders. */
  averageOrderValueMinor: bigint | null;
  /** 0..1, null without buyers. */
  returningShare: number | null;
}

export function withDerived<T extends { revenueMinor: bigint; orders: number; buyers: number; returningBuyers: number }>(row: T): T & Pick<RollupPoint, "averageOrderValueMinor" | "returningShare"> {
  return {
    ...row,
    averageOrderValueMinor: averageOrderValueMinor(row.revenueMinor, row.orders),
    returningShare: returningShare(row.returningBuyers, row.buyers),
  };
}

/**
 * A time series from the rollups, in bucket order: `dimension` "product" exists per day only (per
 * hour it is SalesHourly); `key` is the product/seller/category id, "" for the total or uncategorised.
 */
export async function salesSeries(
  db: Db,
  input: { dimension: SalesDimension; key?: string; grain: Granularity; from: Date; to: Date },
): Promise<RollupPoint[]> {
  const rows = await db.salesRollup.findMany({
    where: { dimension: input.dimension, grain: input.grain, key: input.key ?? "", bucket: { gte: input.from, lt: input.to } },
    select: { bucket: true, currency: true, units: true, revenueMinor: true, orders: true, buyers: true, returningBuyers: true },
    orderBy: [{ bucket: "asc" }, { currency: "asc" }],
  });
  return rows.map(withDerived);
}

export interface SalesPoint {
  bucket: Date;
  revenueMinor: number;
  orders: number;
  units: number;
}

export interface SalesTimeseries {
  granularity: Granularity;
  period: Period;
  /** Every bucket of the period in order, zeros where nothing sold, per currency. */
  series: { currency: string; points: SalesPoint[] }[];
}

export async function salesTimeseries(db: Db, sellerId: string, input: Period & { granularity: Granularity }): Promise<SalesTimeseries> {
  const period = alignPeriod(input, input.granularity, MAX_SERIES_DAYS[input.granularity]);
  const rows = await salesSeries(db, { dimension: "seller", key: sellerId, grain: input.granularity, ...period });
  const step = input.granularity === "hour" ? HOUR_MS : DAY_MS;
  const byCurrency = new Map<string, Map<number, (typeof rows)[number]>>();
  for (const row of rows) {
    const m = byCurrency.get(row.currency) ?? new Map();
    m.set(row.bucket.getTime(), row);
    byCurrency.set(row.currency, m);
  }
  const series = [...byCurrency.keys()].sort().map((currency) => {
    const found = byCurrency.get(currency)!;
    const points: SalesPoint[] = [];
    for (let t = period.from.getTime(); t < period.to.getTime(); t += step) {
      const row = found.get(t);
      points.push({ bucket: new Date(t), revenueMinor: minorNumber(row?.revenueMinor ?? 0n), orders: row?.orders ?? 0, units: row?.units ?? 0 });
    }
    return { currency, points };
  });
  return { granularity: input.granularity, period, series };
}

export interface TopProduct {
  product: { id: string; title: string; sku: string };
  currency: string;
  revenueMinor: number;
  units: number;
  orders: number;
  previous: { revenueMinor: number; units: number; orders: number };
  /** Revenue change vs the previous period; null when it sold nothing then or the period is not comparable (see SalesSummary). */
  revenueChange: number | null;
}

export async function topProducts(db: Db, sellerId: string, input: Period & { limit: number }): Promise<{ period: Period; previousPeriod: Period; items: TopProduct[] }> {
  const period = alignPeriod(input, "hour", MAX_PERIOD_DAYS);
  const previous = previousPeriod(period);
  const sums = { _sum: { revenueMinor: true, units: true, orders: true } } as const;
  const top = await db.salesHourly.groupBy({
    by: ["productId", "currency"],
    where: { sellerId, hour: { gte: period.from, lt: period.to } },
    ...sums,
    orderBy: [{ _sum: { revenueMinor: "desc" } }, { productId: "asc" }],
    take: input.limit,
  });
  const ids = top.map((r) => r.productId);
  const [before, products, first] = await Promise.all([
    db.salesHourly.groupBy({
      by: ["productId", "currency"],
      where: { sellerId, productId: { in: ids }, hour: { gte: previous.from, lt: previous.to } },
      ...sums,
      orderBy: { productId: "asc" },
    }),
    db.product.findMany({ where: { id: { in: ids } }, select: { id: true, title: true, sku: true } }),
    firstSaleAt(db, sellerId),
  ]);
  const comparable = isComparable(first, previous);
  const items = top.map((r): TopProduct => {
    const prev = before.find((b) => b.productId === r.productId && b.currency === r.currency);
    const revenueMinor = minorNumber(r._sum.revenueMinor ?? 0n);
    const prevRevenue = minorNumber(prev?._sum.revenueMinor ?? 0n);
    return {
      product: products.find((p) => p.id === r.productId) ?? { id: r.productId, title: "(deleted product)", sku: "" },
      currency: r.currency,
      revenueMinor,
      units: r._sum.units ?? 0,
      orders: r._sum.orders ?? 0,
      previous: { revenueMinor: prevRevenue, units: prev?._sum.units ?? 0, orders: prev?._sum.orders ?? 0 },
      revenueChange: comparable ? change(revenueMinor, prevRevenue) : null,
    };
  });
  return { period, previousPeriod: previous, items };
}
