// Read helpers for the API and the web: the aggregates with the derived figures (average order
// value, returning-customer share) computed the same way everywhere.
import type { Db } from "~/lib/db";

export type SalesDimension = "product" | "seller" | "category" | "total";
export type SalesGrain = "hour" | "day";

export interface SalesPoint {
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

export function withDerived<T extends { revenueMinor: bigint; orders: number; buyers: number; returningBuyers: number }>(row: T): T & Pick<SalesPoint, "averageOrderValueMinor" | "returningShare"> {
  return {
    ...row,
    averageOrderValueMinor: row.orders > 0 ? (row.revenueMinor * 2n + BigInt(row.orders)) / (2n * BigInt(row.orders)) : null,
    returningShare: row.buyers > 0 ? row.returningBuyers / row.buyers : null,
  };
}

/**
 * A time series from the rollups: `dimension` "product" exists per day only (per hour it is
 * SalesHourly); `key` is the product/seller/category id, "" for the total or uncategorised.
 */
export async function salesSeries(
  db: Db,
  input: { dimension: SalesDimension; key?: string; grain: SalesGrain; from: Date; to: Date },
): Promise<SalesPoint[]> {
  const rows = await db.salesRollup.findMany({
    where: { dimension: input.dimension, grain: input.grain, key: input.key ?? "", bucket: { gte: input.from, lt: input.to } },
    select: { bucket: true, currency: true, units: true, revenueMinor: true, orders: true, buyers: true, returningBuyers: true },
    orderBy: [{ bucket: "asc" }, { currency: "asc" }],
  });
  return rows.map(withDerived);
}

/** Best-selling products of a seller over a period, from the hourly product aggregates. */
export async function topProducts(db: Db, input: { sellerId: string; from: Date; to: Date; limit?: number }) {
  const rows = await db.salesHourly.groupBy({
    by: ["productId", "currency"],
    where: { sellerId: input.sellerId, hour: { gte: input.from, lt: input.to } },
    _sum: { units: true, revenueMinor: true, orders: true },
    orderBy: { _sum: { revenueMinor: "desc" } },
    take: input.limit ?? 10,
  });
  return rows.map((r) => ({ productId: r.productId, currency: r.currency, units: r._sum.units ?? 0, revenueMinor: r._sum.revenueMinor ?? 0n, orders: r._sum.orders ?? 0 }));
}

/** The latest forecast backtest (model against seasonal-naive), for the web. */
export async function latestBacktest(db: Db) {
  return db.forecastBacktest.findFirst({
    orderBy: { generatedAt: "desc" },
    select: {
      generatedAt: true,
      trainedUntil: true,
      heldOutDays: true,
      products: true,
      productDays: true,
      modelMape: true,
      modelSmape: true,
      modelWape: true,
      baselineMape: true,
      baselineSmape: true,
      baselineWape: true,
    },
  });
}
