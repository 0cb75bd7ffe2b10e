// DATABASE_READ_URL against a real streaming replica made on this machine (tests/helpers/replica.ts:
// a second PostgreSQL 15 fed by pg_basebackup from the primary). With the replica's replay paused
// (a replica that lags), the read paths that may lag (public catalog, seller stats and reports,
// the processor's sales reports) still show the old state, and the paths that must see one's own
// writes (a seller's product right after editing it, the cart, the order just placed) show the
// new one; once the replica has replayed, the read paths show it too.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "~/lib/db";
import { createLogger } from "~/lib/logger";
import { salesReportJob } from "~/processor/jobs/analytics-jobs";
import { runJob } from "~/processor/jobs/run-job";
import { startTestApi, type TestApi } from "../helpers/api.ts";
import { createAdminUser, createSellerUser, createStockedProduct, createUser, type TestSeller, type TestUser } from "../helpers/fixtures.ts";
import { startReplica, type RunningReplica } from "../helpers/replica.ts";
import { CALL_TIMEOUT_MS } from "../helpers/wait.ts";

const address = { name: "Ada Buyer", line1: "1 Main St", city: "Berlin", postalCode: "10115", country: "DE" };
const HOUR = 3_600_000;

let replica: RunningReplica;
let api: TestApi;
let seller: TestSeller;
let buyer: TestUser;
let admin: TestUser;

beforeAll(async () => {
  replica = await startReplica();
  api = await startTestApi({ readUrl: (url) => replica.urlFor(url) });
  seller = await createSellerUser(api.deps.db);
  buyer = await createUser(api.deps.db);
  admin = await createAdminUser(api.deps.db);
  // The test's database, created on the primary, reaches the replica like any other change.
  await replica.caughtUp();
});
afterAll(async () => {
  await api?.close();
  await replica?.close();
});

const readHealth = async () => (await api.caller(admin).admin.health()).dependencies.find((d) => d.name === "read_replica");

describe("reads on a lagging replica", () => {
  it("the catalog, stats and reports show the replica's state; a seller's edit, the cart and the new order show the primary's", async () => {
    const product = await createStockedProduct(api.deps, seller.sellerId, 10, { title: "Desk lamp", priceMinor: 3900 });
    await replica.caughtUp();
    const anonymous = api.caller(null);
    expect(await anonymous.catalog.get({ id: product.id })).toMatchObject({ title: "Desk lamp" });
    expect(await readHealth()).toMatchObject({ status: "up" });

    await replica.pauseReplay();
    // The seller renames the product and looks at it in the seller workspace: the new name.
    await api.caller(seller).seller.products.update({ id: product.id, title: "Brass desk lamp" });
    expect(await api.caller(seller).seller.products.get({ id: product.id })).toMatchObject({ title: "Brass desk lamp" });
    // The public catalog reads the replica, which has not applied the rename yet.
    expect(await anonymous.catalog.get({ id: product.id })).toMatchObject({ title: "Desk lamp" });
    expect((await anonymous.catalog.list({ sellerId: seller.sellerId })).items.map((p) => p.title)).toEqual(["Desk lamp"]);

    // A buyer's cart and the order just placed come from the primary.
    const shop = api.caller(buyer);
    expect((await shop.cart.add({ productId: product.id, quantity: 2 })).lines).toEqual([expect.objectContaining({ productId: product.id, quantity: 2 })]);
    expect((await shop.cart.view()).itemCount).toBe(2);
    const order = await shop.checkout.place({ idempotencyKey: randomUUID(), shippingAddress: address });
    expect(await shop.orders.get({ orderId: order.id })).toMatchObject({ id: order.id, status: "pending_payment" });
    expect((await shop.orders.list({})).items.map((o) => o.id)).toContain(order.id);

    // The processor's figures for the seller land on the primary (as its aggregation and report jobs write them).
    const hour = new Date(Math.floor(Date.now() / HOUR) * HOUR);
    await api.deps.db.salesRollup.create({
      data: { grain: "hour", dimension: "seller", key: seller.sellerId, bucket: hour, currency: "EUR", units: 2, revenueMinor: 7800n, orders: 1, buyers: 1, returningBuyers: 0 },
    });
    await api.deps.db.report.create({ data: { kind: "seller-sales", sellerId: seller.sellerId, periodStart: hour, periodEnd: new Date(hour.getTime() + HOUR), data: {} } });
    const period = { from: hour, to: new Date(hour.getTime() + HOUR) };
    expect((await api.caller(seller).stats.summary(period)).currencies).toEqual([]);
    expect((await api.caller(seller).reports.list({})).items).toEqual([]);

    // The operations page says the replica is behind.
    expect(await readHealth()).toMatchObject({ status: "degraded", detail: expect.stringMatching(/^replay paused, \d+ KiB of changes behind the primary$/) });

    await replica.resumeReplay();
    await replica.caughtUp();
    expect(await anonymous.catalog.get({ id: product.id })).toMatchObject({ title: "Brass desk lamp" });
    expect((await api.caller(seller).stats.summary(period)).currencies).toEqual([expect.objectContaining({ currency: "EUR", current: expect.objectContaining({ revenueMinor: 7800, orders: 1 }) })]);
    expect((await api.caller(seller).reports.list({})).items).toHaveLength(1);
    expect(await readHealth()).toMatchObject({ status: "up" });
  });

  it("the processor's sales report reads the sales from the replica and stores the report on the primary", async () => {
    const replicaDb: Db = createDb(replica.urlFor(api.database.url), { maxConnections: 2, busyTimeoutMs: CALL_TIMEOUT_MS });
    try {
      const product = await createStockedProduct(api.deps, seller.sellerId, 10, { priceMinor: 2500 });
      const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
      const params = { seller: seller.sellerId, from: day.toISOString().slice(0, 10), to: day.toISOString().slice(0, 10) };
      const report = async () => {
        const { summary } = await runJob(salesReportJob, params, { db: api.deps.db, readDb: replicaDb, logger: createLogger("test", "silent"), trigger: "job" });
        const stored = await api.deps.db.report.findUniqueOrThrow({ where: { id: (summary as { reportId: string }).reportId }, select: { data: true } });
        return stored.data as { products: { productId: string; units: number }[] };
      };
      await replica.caughtUp();
      await replica.pauseReplay();
      // A paid order of today, written on the primary only so far.
      await api.deps.db.order.create({
        data: {
          number: 9_000_001,
          buyerId: buyer.id,
          status: "paid",
          currency: "EUR",
          subtotalMinor: 5000,
          totalMinor: 5000,
          idempotencyKey: randomUUID(),
          shippingAddress: address,
          placedAt: new Date(),
          lines: { create: { productId: product.id, sellerId: seller.sellerId, sku: product.sku, title: "Lamp", unitPriceMinor: 2500, currency: "EUR", quantity: 2, lineTotalMinor: 5000 } },
        },
        select: { id: true },
      });
      expect((await report()).products.find((p) => p.productId === product.id)).toBeUndefined();

      await replica.resumeReplay();
      await replica.caughtUp();
      expect((await report()).products.find((p) => p.productId === product.id)).toMatchObject({ units: 2 });
    } finally {
      await replicaDb.$disconnect();
    }
  });
});

describe("without DATABASE_READ_URL", () => {
  it("every path reads the primary", async () => {
    const plain = await startTestApi();
    try {
      expect(plain.deps.readDb).toBeUndefined();
      expect((await plain.caller(await createAdminUser(plain.deps.db)).admin.health()).dependencies.find((d) => d.name === "read_replica")).toMatchObject({ status: "not_configured" });
    } finally {
      await plain.close();
    }
  });
});
