// Customer statistics, seller reports and forecasts on generated data (one seeded database).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDatabase, type SeedSummary } from "../../../../scripts/db/seed-data";
import { createTestDatabase, type TestDatabase } from "../../../../tests/helpers/db";
import { computeCustomerStats, RFM_SEGMENTS, rfmSegment } from "./customers";
import { reorderSoon, runForecast } from "./demand";
import { formatMinor } from "~/core/money";
import { previousWeek, renderReportCsv, storeSellerSalesReport } from "./reports";
import { latestBacktest } from "./read/forecasts";
import { salesSeries, topProducts, withDerived } from "./read/sales";
import { COUNTED_ORDER_STATUSES } from "../lifecycle";
import { aggregateSales } from "./sales";

const END = new Date("2026-09-07T00:00:00Z");
const DAY = 86_400_000;
let t: TestDatabase;
let seed: SeedSummary;

beforeAll(async () => {
  t = await createTestDatabase();
  seed = await seedDatabase(t.url, { sellers: 3, products: 15, orders: 6000, days: 112, seed: 21, end: END });
  await aggregateSales(t.db, { now: END });
});
afterAll(() => t?.drop());

describe("forecast", () => {
  it("stores 28 days per active product and a backtest that beats seasonal-naive", async () => {
    const result = await runForecast(t.db, { now: END });
    const active = await t.db.product.count({ where: { status: "active" } });
    expect(result.products).toBe(active);
    expect(await t.db.demandForecast.count()).toBe(active * 28);
    const bt = await t.db.forecastBacktest.findFirst({
      select: { products: true, modelMape: true, modelSmape: true, baselineMape: true, baselineSmape: true, modelWape: true, baselineWape: true },
      orderBy: { generatedAt: "desc" },
    });
    expect(bt!.products).toBeGreaterThanOrEqual(5);
    expect(bt!.modelSmape).toBeLessThan(bt!.baselineSmape);
    expect(bt!.modelMape).toBeLessThan(bt!.baselineMape);
    expect(bt!.modelWape).toBeLessThan(bt!.baselineWape);
  });

  it("lists products to reorder from stored forecasts and given stock", async () => {
    const sellerId = seed.demoUsers.find((u) => u.role === "seller")!.sellerId!;
    const products = await t.db.product.findMany({ where: { sellerId, status: "active" }, select: { id: true } });
    const stock = Object.fromEntries(products.map((p) => [p.id, 0]));
    const list = await reorderSoon(t.db, { sellerId, stock, leadTimeDays: 7, asOf: END });
    expect(list.length).toBeGreaterThan(0);
    for (const item of list) expect(item.suggestedQuantity).toBeGreaterThan(0);
    const plenty = Object.fromEntries(products.map((p) => [p.id, 1_000_000]));
    expect(await reorderSoon(t.db, { sellerId, stock: plenty, leadTimeDays: 7, asOf: END })).toEqual([]);
  });
});

describe("seller sales report", () => {
  it("matches the hourly aggregates for the period and the previous one, and renders as CSV", async () => {
    const sellerId = seed.demoUsers.find((u) => u.role === "seller")!.sellerId!;
    const from = new Date(END.getTime() - 14 * DAY);
    const { id, report } = await storeSellerSalesReport(t.db, { sellerId, from, to: END, now: END });
    const sum = async (a: Date, b: Date) =>
      t.db.salesHourly.aggregate({ where: { sellerId, hour: { gte: a, lt: b } }, _sum: { units: true, revenueMinor: true } });
    const current = await sum(from, END);
    const previous = await sum(new Date(from.getTime() - 14 * DAY), from);
    const eur = report.currencies.find((c) => c.currency === "EUR")!;
    expect(eur.current.units).toBe(current._sum.units);
    expect(eur.current.revenueMinor).toBe(String(current._sum.revenueMinor));
    expect(eur.previous.revenueMinor).toBe(String(previous._sum.revenueMinor));
    expect(report.products.reduce((n, p) => n + p.units, 0)).toBe(current._sum.units);
    expect(eur.current.averageOrderValueMinor).toBe(Math.round(Number(current._sum.revenueMinor) / eur.current.orders));

    // Storing again for the same period replaces the report.
    await storeSellerSalesReport(t.db, { sellerId, from, to: END, now: END });
    expect(await t.db.report.count({ where: { sellerId, periodStart: from } })).toBe(1);
    expect(await t.db.report.count({ where: { id } })).toBe(0);

    const csv = renderReportCsv(report);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("Report,Seller sales");
    expect(lines).toContain(`EUR,Revenue,${formatMinor(eur.current.revenueMinor, "EUR")},${formatMinor(eur.previous.revenueMinor, "EUR")},${(((Number(eur.current.revenueMinor) - Number(eur.previous.revenueMinor)) / Number(eur.previous.revenueMinor)) * 100).toFixed(1)}`);
    expect(lines.filter((l) => l.startsWith("SKU-"))).toHaveLength(report.products.length);
  });

  it("formats money exactly and escapes cells", () => {
    expect(formatMinor("123456789012345678", "EUR")).toBe("1234567890123456.78");
    expect(formatMinor(-5, "EUR")).toBe("-0.05");
    expect(formatMinor(500, "JPY")).toBe("500");
    const csv = renderReportCsv({
      version: 1,
      kind: "seller-sales",
      seller: { id: "s", shopName: 'Shop, "quoted"' },
      period: { from: "2026-01-05T00:00:00.000Z", to: "2026-01-12T00:00:00.000Z" },
      previousPeriod: { from: "2025-12-29T00:00:00.000Z", to: "2026-01-05T00:00:00.000Z" },
      generatedAt: "2026-01-12T02:30:00.000Z",
      currencies: [],
      products: [{ productId: "p", sku: "X1", title: "=HYPERLINK()", currency: "EUR", units: 1, revenueMinor: "100", orders: 1, previousUnits: 0, previousRevenueMinor: "0", previousOrders: 0 }],
    });
    expect(csv).toContain('Seller,"Shop, ""quoted"""\r\n');
    expect(csv).toContain("Period,2026-01-05,2026-01-11\r\n");
    expect(csv).toContain("X1,'=HYPERLINK(),EUR,1,1.00,1,0,0.00,0,\r\n");
  });

  it("previousWeek is last Monday to this Monday", () => {
    expect(previousWeek(new Date("2026-11-25T10:00:00Z"))).toEqual({ from: new Date("2026-11-16T00:00:00Z"), to: new Date("2026-11-23T00:00:00Z") });
    expect(previousWeek(new Date("2026-11-23T00:00:00Z"))).toEqual({ from: new Date("2026-11-16T00:00:00Z"), to: new Date("2026-11-23T00:00:00Z") });
  });
});

describe("read helpers", () => {
  it("series and top products agree with the hourly aggregates", async () => {
    const from = new Date(END.getTime() - 7 * DAY);
    const days = await salesSeries(t.db, { dimension: "total", grain: "day", from, to: END });
    expect(days).toHaveLength(7);
    const hourly = await t.db.salesHourly.aggregate({ where: { hour: { gte: from, lt: END } }, _sum: { revenueMinor: true } });
    expect(days.reduce((n, d) => n + d.revenueMinor, 0n)).toBe(hourly._sum.revenueMinor);
    const sellerId = seed.demoUsers.find((u) => u.role === "seller")!.sellerId!;
    const { items: top } = await topProducts(t.db, sellerId, { from, to: END, limit: 3 });
    expect(top.length).toBeGreaterThan(0);
    expect(top[0]!.revenueMinor >= top[top.length - 1]!.revenueMinor).toBe(true);
    expect(withDerived({ revenueMinor: 1001n, orders: 2, buyers: 4, returningBuyers: 1 })).toMatchObject({ averageOrderValueMinor: 501n, returningShare: 0.25 });
    expect(withDerived({ revenueMinor: 0n, orders: 0, buyers: 0, returningBuyers: 0 })).toMatchObject({ averageOrderValueMinor: null, returningShare: null });
    expect(await latestBacktest(t.db)).not.toBeNull();
  });
});

describe("customer statistics", () => {
  it("builds cohorts and RFM segments consistent with the orders", async () => {
    const result = await computeCustomerStats(t.db, { now: END });
    expect(result.skipped).toBe(false);
    const counted = { status: { in: [...COUNTED_ORDER_STATUSES] } };
    const buyers = await t.db.order.groupBy({ by: ["buyerId"], where: counted });
    const firstMonth = await t.db.customerCohort.findMany({ where: { monthOffset: 0 }, select: { cohortSize: true, activeBuyers: true, repeatBuyers: true } });
    expect(firstMonth.reduce((n, c) => n + c.cohortSize, 0)).toBe(buyers.length);
    for (const c of firstMonth) expect(c.activeBuyers).toBe(c.cohortSize);
    const cohorts = await t.db.customerCohort.findMany({ select: { cohortMonth: true, monthOffset: true, repeatBuyers: true, cohortSize: true }, orderBy: [{ cohortMonth: "asc" }, { monthOffset: "asc" }] });
    for (let i = 1; i < cohorts.length; i++) {
      const [a, b] = [cohorts[i - 1]!, cohorts[i]!];
      if (a.cohortMonth.getTime() === b.cohortMonth.getTime()) expect(b.repeatBuyers).toBeGreaterThanOrEqual(a.repeatBuyers);
      expect(b.repeatBuyers).toBeLessThanOrEqual(b.cohortSize);
    }
    const pairs = await t.db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(DISTINCT (l."sellerId", o."buyerId"))::int AS n FROM "OrderLine" l JOIN "Order" o ON o.id = l."orderId"
       WHERE o.status IN ('paid', 'fulfilling', 'shipped', 'delivered')`,
    );
    expect(result.rfmRows).toBe(pairs[0]!.n);
    const segments = await t.db.customerRfm.groupBy({ by: ["segment"], _count: true });
    for (const s of segments) expect(RFM_SEGMENTS).toContain(s.segment);
    expect(segments.length).toBeGreaterThanOrEqual(4);
  });

  it("segments by recency and frequency scores", () => {
    expect(rfmSegment(5, 5, 9)).toBe("champions");
    expect(rfmSegment(2, 4, 6)).toBe("loyal");
    expect(rfmSegment(5, 1, 1)).toBe("new");
    expect(rfmSegment(3, 2, 2)).toBe("potential");
    expect(rfmSegment(1, 3, 3)).toBe("at_risk");
    expect(rfmSegment(2, 1, 1)).toBe("hibernating");
    expect(rfmSegment(1, 1, 1)).toBe("lost");
  });
});
