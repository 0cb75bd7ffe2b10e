// The whole path with the real pieces: checkout (API domain) against the reference inventory
// service, the worker against the reference payment gateway and carrier, the processor's real
// sales refresh, carrier tracking applied to the order, and the mail the buyer and the seller
// get, read from a real SMTP server (MailDev). Database transport.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, type Db } from "~/lib/db";
import { refreshSalesForOrders } from "~/core/domain/analytics/sales";
import { pollStaleShipments } from "~/processor/tasks/tracking";
import { startWorker, type WorkerHandle } from "~/processor/worker";
import { createCarrierClient } from "~/core/integrations/carrier";
import { createPaymentClient } from "~/core/integrations/payment";
import { placeOrder } from "~/core/domain/checkout/place-order";
import { startCarrierService, type RunningCarrierService } from "../../reference/carrier/server";
import { startPaymentService, type RunningPaymentService } from "../../reference/payment/server";
import { startTestApi, TEST_SERVICE_TOKEN, type TestApi } from "../../tests/helpers/api";
import { createSellerUser, createStockedProduct, createUser, fillCart } from "../../tests/helpers/fixtures";
import { startTestMailServer, type TestMailServer } from "../../tests/helpers/mail";
import { ADDRESS, pipelineConfig, testLogger } from "../../tests/helpers/pipeline";
import { CALL_TIMEOUT_MS, waitFor } from "../../tests/helpers/wait";

let api: TestApi;
let gateway: RunningPaymentService;
let carrier: RunningCarrierService;
let workerDb: Db;
let worker: WorkerHandle;
let smtp: TestMailServer;
const logger = testLogger();

beforeAll(async () => {
  api = await startTestApi();
  const url = api.database.url;
  [gateway, carrier] = await Promise.all([
    startPaymentService({ databaseUrl: url, port: 0, serviceToken: TEST_SERVICE_TOKEN, poolSize: 3 }),
    startCarrierService({ databaseUrl: url, port: 0, serviceToken: TEST_SERVICE_TOKEN, poolSize: 3 }),
  ]);
  smtp = await startTestMailServer();
  workerDb = createDb(url, { maxConnections: 6, busyTimeoutMs: CALL_TIMEOUT_MS });
  worker = await startWorker({
    config: pipelineConfig(url, smtp.env),
    db: workerDb,
    logger,
    clients: {
      payment: createPaymentClient({ baseUrl: gateway.url, serviceToken: TEST_SERVICE_TOKEN, logger, timeoutMs: CALL_TIMEOUT_MS }),
      inventory: api.deps.inventory,
      carrier: createCarrierClient({ baseUrl: carrier.url, serviceToken: TEST_SERVICE_TOKEN, logger, timeoutMs: CALL_TIMEOUT_MS }),
    },
    refreshSales: refreshSalesForOrders,
  });
});

afterAll(async () => {
  await worker?.stop();
  await workerDb?.$disconnect();
  await Promise.all([gateway?.close(), carrier?.close(), smtp?.close()]);
  await api?.close();
});

async function checkout(productId: string) {
  const buyer = await createUser(api.deps.db, "buyer");
  await fillCart(api.deps.db, buyer.id, [{ productId, quantity: 1 }]);
  return { ...(await placeOrder(api.deps, buyer, { idempotencyKey: randomUUID(), shippingAddress: ADDRESS })), buyer };
}

const statusOf = async (orderId: string) => (await api.deps.db.order.findUniqueOrThrow({ where: { id: orderId }, select: { status: true } })).status;

it("checkout -> paid and stock committed -> shipped -> delivered; a decline is cancelled and its stock released", async () => {
  const db = api.deps.db;
  const seller = await createSellerUser(db);
  const good = await createStockedProduct(api.deps, seller.sellerId, 5, { priceMinor: 2_500 });
  // The reference gateway declines amounts ending in 13.
  const declined = await createStockedProduct(api.deps, seller.sellerId, 5, { priceMinor: 1_013 });

  const paid = await checkout(good.id);
  const refused = await checkout(declined.id);
  await waitFor(async () => (await statusOf(paid.id)) === "fulfilling" && (await statusOf(refused.id)) === "cancelled", {
    describe: async () => `orders to settle: ${await statusOf(paid.id)}, ${await statusOf(refused.id)}`,
  });

  // Stock: the paid unit is sold (committed), the declined one is back on the shelf.
  expect(await api.deps.inventory.getStock(good.sku)).toMatchObject({ onHand: 4, reserved: 0 });
  await waitFor(async () => (await api.deps.inventory.getStock(declined.sku))?.reserved === 0, { describe: "the declined order's reservation to be released" });
  expect(await api.deps.inventory.getStock(declined.sku)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
  // The gateway holds one captured payment for the order; the buyer sees why the other failed.
  const charges = await createPaymentClient({ baseUrl: gateway.url, serviceToken: TEST_SERVICE_TOKEN, logger, timeoutMs: CALL_TIMEOUT_MS }).findByReference(paid.id);
  expect(charges.map((c) => c.status)).toEqual(["captured"]);
  expect(await db.order.findUniqueOrThrow({ where: { id: refused.id }, select: { cancelReason: true } })).toEqual({ cancelReason: "Payment failed: card_declined" });
  // Near-real-time sales figures (the processor's refresh) include the paid order.
  await waitFor(async () => (await db.salesHourly.count({ where: { productId: good.id } })) === 1, { describe: "the sales figures" });

  // The carrier moves the parcel; the worker's tracking poll brings the order along.
  const shipment = await db.shipment.findFirstOrThrow({ where: { orderId: paid.id }, select: { carrierRef: true } });
  for (let i = 0; i < 3; i++) await carrier.advance(shipment.carrierRef!);
  const result = await pollStaleShipments({ db, logger, clients: { carrier: createCarrierClient({ baseUrl: carrier.url, serviceToken: TEST_SERVICE_TOKEN, logger, timeoutMs: CALL_TIMEOUT_MS }) }, staleMs: 0, now: () => new Date(Date.now() + 1_000) });
  expect(result.recorded).toBe(4);
  expect(await statusOf(paid.id)).toBe("delivered");
  const history = await db.orderStatusChange.findMany({ where: { orderId: paid.id }, orderBy: { at: "asc" }, select: { toStatus: true } });
  expect(history.map((h) => h.toStatus)).toEqual(["pending_payment", "paid", "fulfilling", "shipped", "delivered"]);

  // Mail, as the SMTP server received it: each step once, to the buyer, and the new order to the
  // seller. Mails of one order are sent concurrently, so they may arrive in any order.
  const n = paid.number;
  expect((await smtp.waitForMails(paid.buyer.email, 4)).map((m) => m.subject).sort()).toEqual(
    [
      `Order #${n} received`,
      `Payment received for order #${n}`,
      `Your parcel from ${seller.shopName} has shipped (order #${n})`,
      `Your parcel from ${seller.shopName} was delivered (order #${n})`,
    ].sort(),
  );
  const [toSeller] = await smtp.waitForMails(seller.email, 1);
  expect(toSeller!.subject).toBe(`New order #${n} for ${seller.shopName} to ship`);
  expect(toSeller!.text).toContain(good.title);
  const declinedMails = await smtp.waitForMails(refused.buyer.email, 2);
  expect(declinedMails.map((m) => m.subject).sort()).toEqual([`Order #${refused.number} received`, `Order #${refused.number} was cancelled`]);
  expect(declinedMails.find((m) => m.subject.endsWith("cancelled"))!.text).toContain("Reason: Payment failed: card_declined");
});

it("a VND order above 2,147,483,647 minor units is paid by the reference gateway and counted exactly in orders and sales", async () => {
  const db = api.deps.db;
  const seller = await createSellerUser(db);
  const scooter = await createStockedProduct(api.deps, seller.sellerId, 5, { priceMinor: 1_000_000_000, currency: "VND" });
  const buyer = await createUser(db, "buyer");
  await fillCart(db, buyer.id, [{ productId: scooter.id, quantity: 3 }]);
  const order = await placeOrder(api.deps, buyer, { idempotencyKey: randomUUID(), shippingAddress: ADDRESS });
  await waitFor(async () => (await statusOf(order.id)) === "fulfilling", { describe: async () => `the order to be paid: ${await statusOf(order.id)}` });

  const charges = await createPaymentClient({ baseUrl: gateway.url, serviceToken: TEST_SERVICE_TOKEN, logger }).findByReference(order.id);
  expect(charges).toEqual([expect.objectContaining({ status: "captured", amount: 3_000_000_000, capturedAmount: 3_000_000_000, currency: "VND" })]);
  // What the buyer's order page shows is what was stored and charged.
  expect(await api.caller(buyer).orders.get({ orderId: order.id })).toMatchObject({
    totalMinor: 3_000_000_000,
    lines: [{ unitPriceMinor: 1_000_000_000, quantity: 3, lineTotalMinor: 3_000_000_000 }],
    payments: [{ status: "captured", amountMinor: 3_000_000_000, currency: "VND" }],
  });
  await waitFor(async () => (await db.salesHourly.count({ where: { productId: scooter.id } })) === 1, { describe: "the sales figures" });
  expect(await db.salesHourly.findFirstOrThrow({ where: { productId: scooter.id }, select: { currency: true, units: true, revenueMinor: true } })).toEqual({
    currency: "VND",
    units: 3,
    revenueMinor: 3_000_000_000n,
  });
  const sellerCaller = api.caller({ ...seller, role: "seller" });
  const summary = await sellerCaller.stats.summary({ from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) });
  expect(summary.currencies).toEqual([expect.objectContaining({ currency: "VND", current: expect.objectContaining({ revenueMinor: 3_000_000_000, units: 3 }) })]);
});
