import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { MONEY_LIMITS } from "~/core/money";
import { seedDatabase, type SeedOptions } from "./seed-data";

const OPTIONS: Partial<SeedOptions> = { sellers: 3, products: 20, orders: 400, days: 30, seed: 9, end: new Date("2026-03-01T12:00:00Z") };
const dbs: TestDatabase[] = [];

async function fingerprint(t: TestDatabase): Promise<string> {
  const rows = await t.db.$queryRawUnsafe<{ h: string }[]>(
    `SELECT md5(
       (SELECT string_agg(concat_ws('|', id, "buyerId", status, "totalMinor", "placedAt", "paidAt", "cancelledAt", "updatedAt"), ',' ORDER BY id) FROM "Order") ||
       (SELECT string_agg(concat_ws('|', id, "orderId", "productId", quantity, "lineTotalMinor"), ',' ORDER BY id) FROM "OrderLine") ||
       (SELECT string_agg(concat_ws('|', id, email, role), ',' ORDER BY id) FROM "User") ||
       (SELECT string_agg(concat_ws('|', id, sku, "priceMinor", status, "categoryId"), ',' ORDER BY id) FROM "Product")) AS h`,
  );
  return rows[0]!.h;
}

beforeAll(async () => {
  dbs.push(await createTestDatabase(), await createTestDatabase());
});
afterAll(() => Promise.all(dbs.map((d) => d.drop())));

describe("db:seed", () => {
  it("writes the requested sizes, consistent orders and the demo accounts", async () => {
    const summary = await seedDatabase(dbs[0]!.url, OPTIONS);
    expect(summary.counts).toMatchObject({ Seller: 3, Product: 20, Order: 400 });
    expect(summary.rows).toBeGreaterThan(400 * 4);
    expect(summary.currency).toBe("EUR");
    expect(summary.demoUsers.map((u) => [u.role, u.email])).toEqual([
      ["buyer", "buyer@lavka.test"],
      ["seller", "seller@lavka.test"],
      ["admin", "admin@lavka.test"],
    ]);
    const db = dbs[0]!.db;
    const demoBuyer = summary.demoUsers[0]!;
    expect(await db.order.count({ where: { buyerId: demoBuyer.id } })).toBeGreaterThan(0);
    expect(await db.seller.count({ where: { id: summary.demoUsers[1]!.sellerId, user: { email: "seller@lavka.test", role: "seller" } } })).toBe(1);
    // Totals agree with the lines; shipping is free from 50 EUR.
    const bad = await db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "Order" o
       WHERE o."subtotalMinor" <> (SELECT sum("lineTotalMinor") FROM "OrderLine" WHERE "orderId" = o.id)
          OR o."totalMinor" <> o."subtotalMinor" + o."shippingMinor"
          OR o."placedAt" >= $1::timestamptz OR o."placedAt" < $1::timestamptz - interval '31 days'`,
      OPTIONS.end!.toISOString(),
    );
    expect(bad[0]!.n).toBe(0);
    // Every price could be saved by a seller: nothing free, nothing above the unit limit.
    expect(await db.product.count({ where: { OR: [{ priceMinor: { lt: 1 } }, { priceMinor: { gt: MONEY_LIMITS.unitPriceMinor } }] } })).toBe(0);
    const cancelled = await db.order.count({ where: { status: "cancelled" } });
    expect(cancelled).toBeGreaterThan(0);
    expect(cancelled).toBeLessThan(400 * 0.1);
    // New and returning buyers: some buyers come back, most buy once.
    const perBuyer = await db.order.groupBy({ by: ["buyerId"], _count: true });
    expect(perBuyer.some((b) => b._count >= 3)).toBe(true);
    expect(perBuyer.filter((b) => b._count === 1).length).toBeGreaterThan(perBuyer.length / 3);
  });

  it("is deterministic for a seed, refuses to run twice, and --reset replaces the data", async () => {
    // Progress is reported batch by batch against the total, ending at it.
    const reports: [number, number][] = [];
    await seedDatabase(dbs[1]!.url, { ...OPTIONS, batchSize: 100, onProgress: (done, total) => reports.push([done, total]) });
    expect(reports.map(([done]) => done)).toEqual([100, 200, 300, 400, 400]);
    expect(reports.every(([, total]) => total === 400)).toBe(true);
    expect(await fingerprint(dbs[1]!)).toBe(await fingerprint(dbs[0]!));
    await expect(seedDatabase(dbs[1]!.url, OPTIONS)).rejects.toThrow(/already has sellers/);
    await seedDatabase(dbs[1]!.url, { ...OPTIONS, seed: 10, reset: true });
    expect(await fingerprint(dbs[1]!)).not.toBe(await fingerprint(dbs[0]!));
    await seedDatabase(dbs[1]!.url, { ...OPTIONS, reset: true });
    expect(await fingerprint(dbs[1]!)).toBe(await fingerprint(dbs[0]!));
  });
});
