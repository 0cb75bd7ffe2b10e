// Per-seller period reports: totals, a per-product table and the previous period of the same
// length for comparison, stored as Report rows (kind "seller-sales") and rendered as CSV.
import type { Db } from "~/lib/db";
import { formatMinor, minorNumber } from "~/core/money";
import { averageOrderValueMinor, returningShare } from "./read/figures";
import { countedOrder, returningOrder } from "./sales";

const DAY_MS = 86_400_000;
export const SELLER_SALES_REPORT = "seller-sales";

export interface SalesTotals {
  units: number;
  /** Integer minor units, as a string: JSON has no BigInt. */
  revenueMinor: string;
  orders: number;
  buyers: number;
  returningBuyers: number;
  /** revenue / orders in minor units (read/figures.ts), null without orders. */
  averageOrderValueMinor: number | null;
  /** returningBuyers / buyers, 0..1, null without buyers. */
  returningShare: number | null;
}

export interface ProductSalesRow {
  productId: string;
  sku: string;
  title: string;
  currency: string;
  units: number;
  revenueMinor: string;
  orders: number;
  previousUnits: number;
  previousRevenueMinor: string;
  previousOrders: number;
}

export interface SellerSalesReport {
  version: 1;
  kind: typeof SELLER_SALES_REPORT;
  seller: { id: string; shopName: string };
  /** [from, to): `to` is exclusive (the day after the last day covered). */
  period: { from: string; to: string };
  previousPeriod: { from: string; to: string };
  generatedAt: string;
  currencies: { currency: string; current: SalesTotals; previous: SalesTotals }[];
  /** Products sold in either period, best revenue first. */
  products: ProductSalesRow[];
}

interface Row {
  period: "current" | "previous";
  currency: string;
  product_id: string | null;
  sku: string | null;
  title: string | null;
  units: number;
  revenue: bigint;
  orders: number;
  buyers: number;
  returning_buyers: number;
}

function totals(row: Row | undefined): SalesTotals {
  const revenue = row?.revenue ?? 0n;
  const orders = row?.orders ?? 0;
  const buyers = row?.buyers ?? 0;
  const returningBuyers = row?.returning_buyers ?? 0;
  const aov = averageOrderValueMinor(revenue, orders);
  return {
    units: row?.units ?? 0,
    revenueMinor: revenue.toString(),
    orders,
    buyers,
    returningBuyers,
    averageOrderValueMinor: aov === null ? null : minorNumber(aov),
    returningShare: returningShare(returningBuyers, buyers),
  };
}

/** Builds the report for [from, to) from the orders themselves (exact distinct buyers per period). */
export async function buildSellerSalesReport(db: Db, input: { sellerId: string; from: Date; to: Date; now: Date }): Promise<SellerSalesReport> {
  const seller = await db.seller.findUnique({ where: { id: input.sellerId }, select: { id: true, shopName: true } });
  if (!seller) throw new Error(`seller ${input.sellerId} not found`);
  const length = input.to.getTime() - input.from.getTime();
  if (length <= 0) throw new Error("report period is empty: --to must not be before --from");
  const previousFrom = new Date(input.from.getTime() - length);
  const rows = await db.$queryRawUnsafe<Row[]>(
    `WITH lines AS (
       SELECT CASE WHEN o."placedAt" >= $2::timestamptz THEN 'current' ELSE 'previous' END AS period,
              o.id AS order_id, o."buyerId" AS buyer_id,
              ${returningOrder("o")} AS is_returning,
              l."productId" AS product_id, l.currency, l.quantity, l."lineTotalMinor" AS line_total
       FROM "OrderLine" l JOIN "Order" o ON o.id = l."orderId"
       WHERE l."sellerId" = $1::uuid AND o."placedAt" >= $3::timestamptz AND o."placedAt" < $4::timestamptz
         AND ${countedOrder("o")}
     ),
     g AS (
       SELECT period, currency, product_id, sum(quantity)::int AS units, sum(line_total)::bigint AS revenue,
              count(DISTINCT order_id)::int AS orders, count(DISTINCT buyer_id)::int AS buyers,
              count(DISTINCT buyer_id) FILTER (WHERE is_returning)::int AS returning_buyers
       FROM lines GROUP BY period, currency, GROUPING SETS ((product_id), ())
     )
     SELECT g.*, p.sku, p.title FROM g LEFT JOIN "Product" p ON p.id = g.product_id`,
    input.sellerId,
    input.from.toISOString(),
    previousFrom.toISOString(),
    input.to.toISOString(),
  );
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const products = new Map<string, ProductSalesRow>();
  for (const r of rows) {
    if (!r.product_id) continue;
    const key = `${r.product_id}:${r.currency}`;
    const p = products.get(key) ?? {
      productId: r.product_id,
      sku: r.sku ?? "",
      title: r.title ?? "",
      currency: r.currency,
      units: 0,
      revenueMinor: "0",
      orders: 0,
      previousUnits: 0,
      previousRevenueMinor: "0",
      previousOrders: 0,
    };
    if (r.period === "current") Object.assign(p, { units: r.units, revenueMinor: r.revenue.toString(), orders: r.orders });
    else Object.assign(p, { previousUnits: r.units, previousRevenueMinor: r.revenue.toString(), previousOrders: r.orders });
    products.set(key, p);
  }
  const total = (period: Row["period"], currency: string) => rows.find((r) => !r.product_id && r.period === period && r.currency === currency);
  return {
    version: 1,
    kind: SELLER_SALES_REPORT,
    seller,
    period: { from: input.from.toISOString(), to: input.to.toISOString() },
    previousPeriod: { from: previousFrom.toISOString(), to: input.from.toISOString() },
    generatedAt: input.now.toISOString(),
    currencies: currencies.map((currency) => ({ currency, current: totals(total("current", currency)), previous: totals(total("previous", currency)) })),
    products: [...products.values()].sort((a, b) => {
      const d = BigInt(b.revenueMinor) - BigInt(a.revenueMinor);
      return d > 0n ? 1 : d < 0n ? -1 : a.sku.localeCompare(b.sku);
    }),
  };
}

/**
 * Builds and stores the report, replacing an earlier one for the same seller and period. The
 * sales may be read from a replica (`readDb`) a moment behind the primary: a report is of a past period.
 */
export async function storeSellerSalesReport(
  db: Db,
  input: { sellerId: string; from: Date; to: Date; now: Date },
  readDb: Db = db,
): Promise<{ id: string; report: SellerSalesReport }> {
  const report = await buildSellerSalesReport(readDb, input);
  const id = await db.$transaction(async (tx) => {
    await tx.report.deleteMany({ where: { kind: SELLER_SALES_REPORT, sellerId: input.sellerId, periodStart: input.from, periodEnd: input.to } });
    const row = await tx.report.create({
      data: { kind: SELLER_SALES_REPORT, sellerId: input.sellerId, periodStart: input.from, periodEnd: input.to, data: report as unknown as object, createdAt: input.now },
      select: { id: true },
    });
    return row.id;
  });
  return { id, report };
}

/** The ISO week (Monday 00:00 UTC to the next Monday) before the one containing `now`. */
export function previousWeek(now: Date): { from: Date; to: Date } {
  const day = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  const to = new Date(day - weekday * DAY_MS);
  return { from: new Date(to.getTime() - 7 * DAY_MS), to };
}

// ---------------------------------------------------------------------------------------------
// CSV rendering: pure, so the web can offer the download from a stored Report's data.

function csvCell(value: string | number | null): string {
  if (value === null) return "";
  let s = String(value);
  // A title starting with = + - @ would run as a formula in a spreadsheet: neutralise it.
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function changePct(current: number | bigint, previous: number | bigint): string {
  const c = Number(current);
  const p = Number(previous);
  return p === 0 ? "" : (((c - p) / p) * 100).toFixed(1);
}

/** RFC 4180 CSV (CRLF line ends): a header block, totals per currency, then the product table. */
export function renderReportCsv(report: SellerSalesReport): string {
  const rows: (string | number | null)[][] = [
    ["Report", "Seller sales"],
    ["Seller", report.seller.shopName],
    ["Period", report.period.from.slice(0, 10), lastDay(report.period.to)],
    ["Previous period", report.previousPeriod.from.slice(0, 10), lastDay(report.previousPeriod.to)],
    ["Generated", report.generatedAt],
    [],
    ["Currency", "Metric", "Current", "Previous", "Change %"],
  ];
  for (const { currency, current: c, previous: p } of report.currencies) {
    rows.push(
      [currency, "Revenue", formatMinor(c.revenueMinor, currency), formatMinor(p.revenueMinor, currency), changePct(BigInt(c.revenueMinor), BigInt(p.revenueMinor))],
      [currency, "Units", c.units, p.units, changePct(c.units, p.units)],
      [currency, "Orders", c.orders, p.orders, changePct(c.orders, p.orders)],
      [currency, "Buyers", c.buyers, p.buyers, changePct(c.buyers, p.buyers)],
      [
        currency,
        "Average order value",
        c.averageOrderValueMinor === null ? null : formatMinor(c.averageOrderValueMinor, currency),
        p.averageOrderValueMinor === null ? null : formatMinor(p.averageOrderValueMinor, currency),
        c.averageOrderValueMinor !== null && p.averageOrderValueMinor !== null ? changePct(c.averageOrderValueMinor, p.averageOrderValueMinor) : null,
      ],
      [
        currency,
        "Returning-customer share %",
        c.returningShare === null ? null : (c.returningShare * 100).toFixed(1),
        p.returningShare === null ? null : (p.returningShare * 100).toFixed(1),
        null,
      ],
    );
  }
  rows.push([], ["SKU", "Product", "Currency", "Units", "Revenue", "Orders", "Previous units", "Previous revenue", "Previous orders", "Revenue change %"]);
  for (const p of report.products) {
    rows.push([
      p.sku,
      p.title,
      p.currency,
      p.units,
      formatMinor(p.revenueMinor, p.currency),
      p.orders,
      p.previousUnits,
      formatMinor(p.previousRevenueMinor, p.currency),
      p.previousOrders,
      changePct(BigInt(p.revenueMinor), BigInt(p.previousRevenueMinor)),
    ]);
  }
  return rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

function lastDay(exclusiveEnd: string): string {
  return new Date(new Date(exclusiveEnd).getTime() - DAY_MS).toISOString().slice(0, 10);
}
