import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDatabase } from "../../../../scripts/db/seed-data";
import { createTestDatabase, type Db, type TestDatabase } from "../../../../tests/helpers/db";
import { COUNTED_ORDER_STATUSES } from "../lifecycle";
import { aggregateSales, backfillSales, refreshSalesForOrders, SALES_LOCK } from "./sales";

const END = new Date("2026-06-15T00:00:00Z");
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Tables as sorted lines, without updatedAt (the only column that legitimately differs). */
async function snapshot(db: Db): Promise<string[]> {
  const hourly = await db.salesHourly.findMany({
    select: { hour: true, productId: true, sellerId: true, categoryId: true, currency: true, units: true, revenueMinor: true, orders: true, buyers: true, returningBuyers: true },
  });
  const rollups = await db.salesRollup.findMany({
    select: { grain: true, dimension: true, key: true, bucket: true, currency: true, units: true, revenueMinor: true, orders: true, buyers: true, returningBuyers: true },
  });
  return [
    ...hourly.map((r) => `H ${r.hour.toISOString()} ${r.productId} ${r.sellerId} ${r.categoryId ?? ""} ${r.currency} ${r.units} ${r.revenueMinor} ${r.orders} ${r.buyers} ${r.returningBuyers}`),
    ...rollups.map((r) => `R ${r.grain} ${r.dimension} ${r.key} ${r.bucket.toISOString()} ${r.currency} ${r.units} ${r.revenueMinor} ${r.orders} ${r.buyers} ${r.returningBuyers}`),
  ].sort();
}

/** The same figures computed the slow, obvious way in JavaScript from the raw rows. */
async function naive(db: Db): Promise<string[]> {
  const orders = await db.order.findMany({ select: { id: true, buyerId: true, status: true, placedAt: true } });
  const lines = await db.orderLine.findMany({ select: { orderId: true, productId: true, currency: true, quantity: true, lineTotalMinor: true } });
  const products = new Map((await db.product.findMany({ select: { id: true, sellerId: true, categoryId: true } })).map((p) => [p.id, p]));
  const counted = orders.filter((o) => (COUNTED_ORDER_STATUSES as readonly string[]).includes(o.status));
  const before = (a: (typeof orders)[number], b: (typeof orders)[number]) =>
    a.placedAt.getTime() < b.placedAt.getTime() || (a.placedAt.getTime() === b.placedAt.getTime() && a.id < b.id);
  const byBuyer = new Map<string, typeof counted>();
  for (const o of counted) byBuyer.set(o.buyerId, [...(byBuyer.get(o.buyerId) ?? []), o]);
  const info = new Map(counted.map((o) => [o.id, { ...o, returning: byBuyer.get(o.buyerId)!.some((p) => before(p, o)) }]));
  type Acc = { units: number; revenue: bigint; orders: Set<string>; buyers: Set<string>; returning: Set<string> };
  const acc = new Map<string, Acc>();
  const add = (key: string, o: { id: string; buyerId: string; returning: boolean }, quantity: number, total: bigint) => {
    const a = acc.get(key) ?? { units: 0, revenue: 0n, orders: new Set(), buyers: new Set(), returning: new Set() };
    a.units += quantity;
    a.revenue += total;
    a.orders.add(o.id);
    a.buyers.add(o.buyerId);
    if (o.returning) a.returning.add(o.buyerId);
    acc.set(key, a);
  };
  for (const l of lines) {
    const o = info.get(l.orderId);
    if (!o) continue;
    const p = products.get(l.productId)!;
    const hour = new Date(Math.floor(o.placedAt.getTime() / HOUR) * HOUR).toISOString();
    const day = new Date(Math.floor(o.placedAt.getTime() / DAY) * DAY).toISOString();
    const c = l.currency;
    add(`H ${hour} ${l.productId} ${p.sellerId} ${p.categoryId ?? ""} ${c}`, o, l.quantity, l.lineTotalMinor);
    add(`R hour seller ${p.sellerId} ${hour} ${c}`, o, l.quantity, l.lineTotalMinor);
    add(`R hour category ${p.categoryId ?? ""} ${hour} ${c}`, o, l.quantity, l.lineTotalMinor);
    add(`R hour total  ${hour} ${c}`, o, l.quantity, l.lineTotalMinor);
    add(`R day product ${l.productId} ${day} ${c}`, o, l.quantity, l.lineTotalMinor);
    add(`R day seller ${p.sellerId} ${day} ${c}`, o, l.quantity, l.lineTotalMinor);
    add(`R day category ${p.categoryId ?? ""} ${day} ${c}`, o, l.quantity, l.lineTotalMinor);
    add(`R day total  ${day} ${c}`, o, l.quantity, l.lineTotalMinor);
  }
  return [...acc].map(([k, a]) => `${k} ${a.units} ${a.revenue} ${a.orders.size} ${a.buyers.size} ${a.returning.size}`).sort();
}

/** Late-arriving changes: cancellations, payments of pending orders, repeat orders by known buyers. */
async function mutate(db: Db, at: Date, salt: string): Promise<void> {
  await db.$executeRawUnsafe(
    `UPDATE "Order" SET status = 'cancelled', "cancelledAt" = $1::timestamptz, "updatedAt" = $1::timestamptz
     WHERE status IN ('paid', 'delivered') AND substr(md5(id::text || $2), 1, 1) IN ('0', '1')`,
    at.toISOString(),
    salt,
  );
  await db.$executeRawUnsafe(
    `UPDATE "Order" SET status = 'paid', "paidAt" = $1::timestamptz, "updatedAt" = $1::timestamptz WHERE status = 'pending_payment'`,
    at.toISOString(),
  );
  // Copies of some orders, placed in the past hours by the same buyers (they become returning).
  await db.$executeRawUnsafe(
    `WITH src AS (SELECT * FROM "Order" WHERE substr(md5(id::text || $2), 1, 1) = 'a')
     INSERT INTO "Order" (id, "buyerId", status, currency, "subtotalMinor", "shippingMinor", "totalMinor", "idempotencyKey",
                          "shippingAddress", "placedAt", "paidAt", "updatedAt")
     SELECT md5(id::text || $2)::uuid, "buyerId", 'paid', currency, "subtotalMinor", "shippingMinor", "totalMinor",
            "idempotencyKey" || $2, "shippingAddress", $1::timestamptz - interval '3 hours' + (random() * interval '2 hours'),
            $1::timestamptz, $1::timestamptz
     FROM src`,
    at.toISOString(),
    salt,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "OrderLine" (id, "orderId", "productId", "sellerId", sku, title, "unitPriceMinor", currency, quantity, "lineTotalMinor")
     SELECT md5(l.id::text || $1)::uuid, md5(l."orderId"::text || $1)::uuid, l."productId", l."sellerId", l.sku, l.title,
            l."unitPriceMinor", l.currency, l.quantity, l."lineTotalMinor"
     FROM "OrderLine" l JOIN "Order" o ON o.id = md5(l."orderId"::text || $1)::uuid`,
    salt,
  );
}

describe("sales aggregation", () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDatabase(t.url, { sellers: 3, products: 25, orders: 700, days: 21, seed: 7, end: END });
  });
  afterAll(() => t?.drop());

  it("equals a naive recomputation, before and after late changes, and a rerun changes nothing", async () => {
    const first = await aggregateSales(t.db, { now: END });
    expect(first).toMatchObject({ skipped: false, mode: "full" });
    const expected = await naive(t.db);
    expect(expected.length).toBeGreaterThan(100);
    expect(await snapshot(t.db)).toEqual(expected);

    const later = new Date(END.getTime() + 2 * HOUR);
    await mutate(t.db, later, "a");
    const second = await aggregateSales(t.db, { now: later });
    expect(second.mode).toBe("incremental");
    expect(await snapshot(t.db)).toEqual(await naive(t.db));

    const before = await snapshot(t.db);
    await aggregateSales(t.db, { now: new Date(later.getTime() + 1000) });
    expect(await snapshot(t.db)).toEqual(before);
  });

  it("a run that fails half-way leaves the tables as they were, and the rerun completes them", async () => {
    const now = new Date(END.getTime() + 5 * HOUR);
    await mutate(t.db, now, "b");
    const before = await snapshot(t.db);
    // Crash: an error thrown between batches of a backfill.
    let batches = 0;
    await expect(
      backfillSales(t.db, { from: new Date(END.getTime() - 20 * DAY), to: END }, {
        now,
        daysPerBatch: 3,
        onBatch: () => {
          if (++batches === 2) throw new Error("injected crash");
        },
      }),
    ).rejects.toThrow("injected crash");
    expect(await snapshot(t.db)).toEqual(before);
    // Abort (SIGTERM) between batches of the incremental run.
    const controller = new AbortController();
    await expect(aggregateSales(t.db, { now, daysPerBatch: 1, signal: controller.signal, onBatch: () => controller.abort() })).rejects.toThrow();
    expect(await snapshot(t.db)).toEqual(before);
    await aggregateSales(t.db, { now });
    expect(await snapshot(t.db)).toEqual(await naive(t.db));
  });

  it("one run at a time: a run that finds the advisory lock taken is skipped", async () => {
    const now = new Date(END.getTime() + 8 * HOUR);
    await mutate(t.db, now, "c");
    const skipped = await t.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`lavka.processor:${SALES_LOCK}`}))::text`;
      return aggregateSales(t.db, { now });
    });
    expect(skipped).toEqual({ skipped: true, mode: "incremental", days: 0, rows: 0 });
    // Two at once: never both at the same time, and the result is right either way.
    const both = await Promise.all([aggregateSales(t.db, { now }), aggregateSales(t.db, { now })]);
    expect(both.some((r) => !r.skipped)).toBe(true);
    expect(await snapshot(t.db)).toEqual(await naive(t.db));
  });

  it("refreshSalesForOrders rebuilds the days of the given orders for the event consumer", async () => {
    const now = new Date(END.getTime() + 9 * HOUR);
    const order = await t.db.order.findFirst({ where: { status: "paid" }, select: { id: true }, orderBy: { placedAt: "desc" } });
    await t.db.order.update({ where: { id: order!.id }, data: { status: "cancelled", cancelledAt: now }, select: { id: true } });
    const result = await refreshSalesForOrders(t.db, [order!.id], { now });
    expect(result.days).toBeGreaterThanOrEqual(1);
    expect(await snapshot(t.db)).toEqual(await naive(t.db));
  });
});

describe("incrementality", () => {
  const histories = [7, 42];
  const costs: { days: number; rows: number; touched: number }[] = [];
  const dbs: TestDatabase[] = [];
  afterAll(() => Promise.all(dbs.map((d) => d.drop())));

  it.each(histories)("a new hour after %i days of history touches one day and the same rows", async (days) => {
    const t = await createTestDatabase();
    dbs.push(t);
    await seedDatabase(t.url, { sellers: 2, products: 10, orders: days * 40, days, seed: 3, end: END });
    await aggregateSales(t.db, { now: END });
    // A second run consumes the watermark overlap, so the next one sees only the new orders.
    await aggregateSales(t.db, { now: new Date(END.getTime() + HOUR) });
    // Ten new orders by new buyers in the first hour of the next day.
    const product = await t.db.product.findFirst({ where: { status: "active" }, select: { id: true, sellerId: true, sku: true, title: true, priceMinor: true }, orderBy: { sku: "asc" } });
    for (let i = 0; i < 10; i++) {
      const buyerId = `new-buyer-${i}`;
      await t.db.user.create({ data: { id: buyerId, email: `${buyerId}@example.test`, displayName: buyerId }, select: { id: true } });
      const placedAt = new Date(END.getTime() + 2 * HOUR + i * 60_000);
      await t.db.order.create({
        data: {
          buyerId,
          status: "paid",
          currency: "EUR",
          subtotalMinor: product!.priceMinor,
          totalMinor: product!.priceMinor,
          idempotencyKey: `k${i}`,
          shippingAddress: {},
          placedAt,
          paidAt: placedAt,
          lines: { create: { productId: product!.id, sellerId: product!.sellerId, sku: product!.sku, title: product!.title, unitPriceMinor: product!.priceMinor, currency: "EUR", quantity: 1, lineTotalMinor: product!.priceMinor } },
        },
        select: { id: true },
      });
    }
    const now = new Date(END.getTime() + 3 * HOUR);
    const result = await aggregateSales(t.db, { now });
    const touched = (await t.db.salesHourly.count({ where: { updatedAt: now } })) + (await t.db.salesRollup.count({ where: { updatedAt: now } }));
    costs.push({ days: result.days, rows: result.rows, touched });
    expect(result).toMatchObject({ mode: "incremental", days: 1 });
  });

  it("costs the same whatever the history size", () => {
    expect(costs).toHaveLength(2);
    expect(costs[0]).toEqual(costs[1]);
    // One hour of one product: 1 hourly row + seller/category/total per hour and per day + product per day.
    expect(costs[0]!.rows).toBe(8);
  });
});
