import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../../../../tests/helpers/api";
import { createProduct, createSellerUser, createUser, stockProduct, type TestSeller } from "../../../../../tests/helpers/fixtures";
import { createOrder, type OrderableProduct } from "../../../../../tests/helpers/orders-fixtures";
import type { Db } from "~/lib/db";
import { backfillSales } from "~/core/domain/analytics/sales";
import { storeSellerSalesReport } from "~/core/domain/analytics/reports";
import type { AuthUser } from "~/core/domain/actor";

// Two weeks of sales for one seller, aggregated by the processor's own job, then read back.
const PERIOD = { from: new Date("2026-03-08T00:00:00Z"), to: new Date("2026-03-15T00:00:00Z") };
const PREVIOUS = { from: new Date("2026-03-01T00:00:00Z"), to: PERIOD.from };
const at = (iso: string) => new Date(iso);

let api: TestApi;
let db: Db;
let seller: TestSeller;
let otherSeller: TestSeller;
let newShop: TestSeller;
let buyer: AuthUser;
let buyer2: AuthUser;
let mug: OrderableProduct;
let tea: OrderableProduct;
let others: OrderableProduct;

beforeAll(async () => {
  api = await startTestApi();
  db = api.deps.db;
  seller = await createSellerUser(db);
  otherSeller = await createSellerUser(db);
  buyer = await createUser(db, "buyer");
  buyer2 = await createUser(db, "buyer");
  mug = await createProduct(db, seller.sellerId, { priceMinor: 1200, title: "Mug" });
  tea = await createProduct(db, seller.sellerId, { priceMinor: 500, title: "Tea" });
  others = await createProduct(db, otherSeller.sellerId, { priceMinor: 9900 });

  // Current period: 3 counted orders of this seller (one mixed with another shop), 1 cancelled, 1 unpaid.
  await createOrder(db, buyer.id, [{ product: mug, quantity: 2 }], { status: "paid", placedAt: at("2026-03-09T10:15:00Z") });
  await createOrder(db, buyer2.id, [{ product: tea, quantity: 3 }, { product: mug, quantity: 1 }], { status: "delivered", placedAt: at("2026-03-09T10:45:00Z") });
  await createOrder(db, buyer.id, [{ product: tea, quantity: 1 }, { product: others, quantity: 1 }], { status: "shipped", placedAt: at("2026-03-12T08:00:00Z") });
  await createOrder(db, buyer.id, [{ product: mug, quantity: 5 }], { status: "cancelled", placedAt: at("2026-03-10T08:00:00Z") });
  await createOrder(db, buyer.id, [{ product: mug, quantity: 5 }], { status: "pending_payment", placedAt: at("2026-03-10T09:00:00Z") });
  // Previous period: one order of 1 mug; the shop's first sale came before it (of tea), so it compares.
  await createOrder(db, buyer2.id, [{ product: mug, quantity: 1 }], { status: "paid", placedAt: at("2026-03-03T12:00:00Z") });
  await createOrder(db, buyer2.id, [{ product: tea, quantity: 1 }], { status: "delivered", placedAt: at("2026-02-20T16:20:00Z") });
  // A shop that began selling during the previous period: nothing to compare with.
  newShop = await createSellerUser(db);
  const vase = await createProduct(db, newShop.sellerId, { priceMinor: 1000 });
  await createOrder(db, buyer.id, [{ product: vase, quantity: 1 }], { status: "paid", placedAt: at("2026-03-06T09:10:00Z") });
  await createOrder(db, buyer.id, [{ product: vase, quantity: 4 }], { status: "paid", placedAt: at("2026-03-11T09:10:00Z") });

  await backfillSales(db, { from: at("2026-02-15T00:00:00Z"), to: PERIOD.to }, { now: new Date() });
});
afterAll(() => api?.close());

describe("stats (seller, from the processor's aggregates)", () => {
  it("summary: revenue, orders, units and AOV of the seller's part, against the previous period", async () => {
    const summary = await api.caller(seller).stats.summary(PERIOD);
    // 2*1200 + (3*500 + 1200) + 500 = 5600 over 3 orders; units 2 + 4 + 1.
    expect(summary.currencies).toEqual([
      {
        currency: "EUR",
        current: { revenueMinor: 5600, orders: 3, units: 7, aovMinor: 1867 },
        previous: { revenueMinor: 1200, orders: 1, units: 1, aovMinor: 1200 },
        change: { revenue: 3.6667, orders: 2, units: 6, aov: 0.5558 },
      },
    ]);
    expect(summary.previousPeriod).toEqual(PREVIOUS);
    expect(summary).toMatchObject({ comparable: true, firstSaleAt: at("2026-02-20T16:00:00Z") });
  });

  it("summary and top products: no change against a period the shop had not been selling through", async () => {
    const summary = await api.caller(newShop).stats.summary(PERIOD);
    expect(summary).toMatchObject({ comparable: false, firstSaleAt: at("2026-03-06T09:00:00Z") });
    expect(summary.currencies).toEqual([
      {
        currency: "EUR",
        current: { revenueMinor: 4000, orders: 1, units: 4, aovMinor: 4000 },
        previous: { revenueMinor: 1000, orders: 1, units: 1, aovMinor: 1000 },
        change: { revenue: null, orders: null, units: null, aov: null },
      },
    ]);
    const top = await api.caller(newShop).stats.topProducts({ ...PERIOD, limit: 5 });
    expect(top.items[0]).toMatchObject({ revenueMinor: 4000, previous: { revenueMinor: 1000 }, revenueChange: null });
  });

  it("timeseries: every bucket of the period, zeros included, by day and by hour", async () => {
    const daily = await api.caller(seller).stats.timeseries({ ...PERIOD, granularity: "day" });
    const points = daily.series[0]!.points;
    expect(points).toHaveLength(7);
    expect(points.map((p) => p.revenueMinor)).toEqual([0, 5100, 0, 0, 500, 0, 0]);

    const hourly = await api.caller(seller).stats.timeseries({ from: at("2026-03-09T09:30:00Z"), to: at("2026-03-09T12:00:00Z"), granularity: "hour" });
    expect(hourly.period.from).toEqual(at("2026-03-09T09:00:00Z"));
    expect(hourly.series[0]!.points.map((p) => [p.bucket.toISOString().slice(11, 13), p.orders])).toEqual([
      ["09", 0],
      ["10", 2],
      ["11", 0],
    ]);
  });

  it("topProducts: best revenue first, with the previous period's figures", async () => {
    const top = await api.caller(seller).stats.topProducts({ ...PERIOD, limit: 5 });
    expect(top.items.map((i) => [i.product.title, i.revenueMinor, i.units, i.orders])).toEqual([
      ["Mug", 3600, 3, 2],
      ["Tea", 2000, 4, 2],
    ]);
    expect(top.items[0]).toMatchObject({ previous: { revenueMinor: 1200, units: 1, orders: 1 }, revenueChange: 2 });
    expect(top.items[1]).toMatchObject({ previous: { revenueMinor: 0 }, revenueChange: null });
    expect((await api.caller(seller).stats.topProducts({ ...PERIOD, limit: 1 })).items).toHaveLength(1);
  });

  it("shows each seller only their own figures", async () => {
    const theirs = await api.caller(otherSeller).stats.summary(PERIOD);
    expect(theirs.currencies[0]?.current).toEqual({ revenueMinor: 9900, orders: 1, units: 1, aovMinor: 9900 });
    const top = await api.caller(otherSeller).stats.topProducts({ ...PERIOD, limit: 10 });
    expect(top.items.map((i) => i.product.id)).toEqual([others.id]);
  });

  it("rejects backwards and overlong periods, naming the field", async () => {
    await expect(api.caller(seller).stats.summary({ from: PERIOD.to, to: PERIOD.from })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("to:"),
    });
    await expect(
      api.caller(seller).stats.timeseries({ from: at("2026-01-01T00:00:00Z"), to: at("2026-03-01T00:00:00Z"), granularity: "hour" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("31 days") });
    await expect(api.caller(seller).stats.summary({ from: "yesterday", to: PERIOD.to } as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("stats.forecast / stats.reorderSoon", () => {
  it("returns the stored forecast from today and the latest backtest; other shops' products are not found", async () => {
    const now = new Date();
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const day = (n: number) => new Date(today.getTime() + n * 86_400_000);
    await db.demandForecast.createMany({
      data: [-1, 0, 1, 2].map((n) => ({ productId: mug.id, day: day(n), mean: 4, lower: 2, upper: 6, model: "holt-winters", generatedAt: now })),
    });
    await db.forecastBacktest.create({
      data: {
        generatedAt: now, trainedUntil: day(-15), heldOutDays: 14, products: 10, productDays: 140,
        modelMape: 0.2, modelSmape: 0.18, modelWape: 0.15, baselineMape: 0.3, baselineSmape: 0.28, baselineWape: 0.25,
      },
    });
    const forecast = await api.caller(seller).stats.forecast({ productId: mug.id });
    expect(forecast.model).toBe("holt-winters");
    expect(forecast.days.map((d) => d.day)).toEqual([day(0), day(1), day(2)]);
    expect(forecast.backtest).toMatchObject({ modelWape: 0.15, baselineWape: 0.25 });
    await expect(api.caller(otherSeller).stats.forecast({ productId: mug.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("reorderSoon: products whose stock will not cover forecast demand over the lead time", async () => {
    // The mug forecasts 4/day (upper 6); tea has none. 3 in stock does not cover 3 days.
    await stockProduct(api.deps, mug.sku, 3);
    await stockProduct(api.deps, tea.sku, 0);
    const list = await api.caller(seller).stats.reorderSoon({ leadTimeDays: 3 });
    expect(list).toEqual([expect.objectContaining({ product: expect.objectContaining({ id: mug.id, title: "Mug" }), onHand: 3 })]);
    expect(list[0]!.suggestedQuantity).toBeGreaterThan(0);

    await stockProduct(api.deps, mug.sku, 1000);
    expect(await api.caller(seller).stats.reorderSoon({ leadTimeDays: 3 })).toEqual([]);
  });
});

describe("reports (seller's own, stored by the processor)", () => {
  it("lists, reads and renders a stored report as CSV; other sellers cannot see it", async () => {
    const stored = await storeSellerSalesReport(db, { sellerId: seller.sellerId, from: PERIOD.from, to: PERIOD.to, now: new Date() });
    const list = await api.caller(seller).reports.list({});
    expect(list.items.map((r) => r.id)).toContain(stored.id);
    expect(list.items[0]).not.toHaveProperty("data");

    const report = await api.caller(seller).reports.get({ id: stored.id });
    expect(report).toMatchObject({ id: stored.id, kind: "seller-sales", periodStart: PERIOD.from });

    const csv = await api.caller(seller).reports.csv({ id: stored.id });
    expect(csv.filename).toBe("lavka-seller-sales-2026-03-08-2026-03-15.csv");
    expect(csv.csv.split("\r\n")[0]).toBe("Report,Seller sales");
    expect(csv.csv).toContain("Mug");

    expect((await api.caller(otherSeller).reports.list({})).items.map((r) => r.id)).not.toContain(stored.id);
    await expect(api.caller(otherSeller).reports.get({ id: stored.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api.caller(otherSeller).reports.csv({ id: stored.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
