// Consumers one event at a time through dispatch(), without a transport: multi-seller
// fulfilment, a cancel racing a payment, a database that is down, metrics. The gateway,
// inventory and carrier are the reference servers, reached through the real clients. The timed
// passes (expiry, tracking polls) are tested in ../tasks/tasks.test.ts.
import { randomUUID } from "node:crypto";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toEnvelope } from "~/core/events/outbox";
import { createDb, Prisma } from "~/lib/db";
import { dispatch, isTransient, type Consumer } from "~/processor/messaging/consumer";
import { createPipelineMetrics } from "~/processor/messaging/metrics";
import { markShipped } from "~/core/domain/orders/seller";
import { cancelOrder } from "~/core/domain/lifecycle";
import { createTestDatabase, type Db, type TestDatabase } from "../../../tests/helpers/db";
import { createProduct, createSellerUser } from "../../../tests/helpers/fixtures";
import {
  createWorld,
  deliverLatest,
  dispatchDeps,
  placeOrders,
  readReservationStatus,
  startReferenceServices,
  testLogger,
  type ReferenceServices,
  type World,
} from "../../../tests/helpers/pipeline";
import { createFulfilmentConsumer } from "./fulfilment";
import { createPaymentsConsumer, PAYMENT_NOT_PROCESSED } from "./payments";
import { createReservationsConsumer } from "./reservations";

let testDb: TestDatabase;
let db: Db;
let world: World;
let services: ReferenceServices;
let clients: ReferenceServices["clients"];
const logger = testLogger();

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  services = await startReferenceServices(testDb.url);
  clients = services.clients;
  world = await createWorld(db, clients.inventory);
});
afterAll(async () => {
  await services?.close();
  await testDb?.drop();
});

/** Shipments the reference carrier holds for an order. */
async function carrierShipments(orderId: string): Promise<number> {
  const [row] = await db.$queryRaw<[{ n: number }]>`SELECT count(*)::int AS n FROM ref_carrier.shipments WHERE order_ref = ${orderId}`;
  return row.n;
}

const reservationStatus = (orderId: string) => readReservationStatus(db, clients.inventory, orderId);
const deps = () => dispatchDeps(db, logger);
const deliver = (consumer: Consumer, orderId: string, type: string, attempt = 1) => deliverLatest(db, consumer, orderId, type, deps(), attempt);

const payments = (paymentsClients: Pick<ReferenceServices["clients"], "payment" | "inventory"> = clients) =>
  createPaymentsConsumer({ clients: paymentsClients, defaultCardToken: "tok_visa" });

describe("fulfilment", () => {
  it("creates one shipment per seller, once, and moves the order to fulfilling", async () => {
    const other = await createSellerUser(db);
    const otherProduct = await createProduct(db, other.sellerId);
    const [orderId] = await placeOrders(db, world, 1);
    await db.orderLine.create({
      data: { orderId: orderId!, productId: otherProduct.id, sellerId: other.sellerId, sku: otherProduct.sku, title: "Other", unitPriceMinor: 1000, currency: "EUR", quantity: 2, lineTotalMinor: 2000 },
    });
    expect(await deliver(payments(), orderId!, "order.placed")).toEqual({ kind: "done" });

    const fulfilment = createFulfilmentConsumer({ clients, carrierName: "Test Post" });
    expect(await deliver(fulfilment, orderId!, "order.paid")).toEqual({ kind: "done" });
    expect(await deliver(fulfilment, orderId!, "order.paid")).toEqual({ kind: "duplicate" });

    const shipments = await db.shipment.findMany({ where: { orderId: orderId! }, select: { sellerId: true, carrier: true, status: true, lines: { select: { quantity: true } } } });
    expect(shipments).toHaveLength(2);
    expect(shipments.find((s) => s.sellerId === other.sellerId)).toMatchObject({ carrier: "Test Post", status: "created", lines: [{ quantity: 2 }] });
    expect(await carrierShipments(orderId!)).toBe(2);
    expect(await db.outboxEvent.count({ where: { aggregateId: orderId!, type: "shipment.created" } })).toBe(2);
    expect(await db.order.findUniqueOrThrow({ where: { id: orderId! }, select: { status: true } })).toEqual({ status: "fulfilling" });
  });

  it("books the other sellers' parts once when one seller shipped by hand before it ran", async () => {
    const second = await createSellerUser(db);
    const third = await createSellerUser(db);
    const [orderId] = await placeOrders(db, world, 1);
    for (const seller of [second, third]) {
      const product = await createProduct(db, seller.sellerId);
      await db.orderLine.create({
        data: { orderId: orderId!, productId: product.id, sellerId: seller.sellerId, sku: product.sku, title: "Other", unitPriceMinor: 1000, currency: "EUR", quantity: 1, lineTotalMinor: 1000 },
      });
    }
    expect(await deliver(payments(), orderId!, "order.placed")).toEqual({ kind: "done" });
    // The first seller ships their part with their own label before the fulfilment consumer runs.
    await markShipped(db, world.sellerId, { orderId: orderId!, carrier: "Own Post", trackingNumber: `OWN-${orderId}` }, new Date());
    expect(await db.order.findUniqueOrThrow({ where: { id: orderId! }, select: { status: true } })).toEqual({ status: "fulfilling" });

    const fulfilment = createFulfilmentConsumer({ clients, carrierName: "Test Post" });
    expect(await deliver(fulfilment, orderId!, "order.paid")).toEqual({ kind: "done" });
    const shipments = async () =>
      (await db.shipment.findMany({ where: { orderId: orderId! }, select: { sellerId: true, carrier: true, status: true } })).sort((a, b) => a.carrier.localeCompare(b.carrier));
    expect(await shipments()).toEqual(
      [
        { sellerId: world.sellerId, carrier: "Own Post", status: "in_transit" },
        ...[second, third].map((s) => ({ sellerId: s.sellerId, carrier: "Test Post", status: "created" })),
      ].sort((a, b) => a.carrier.localeCompare(b.carrier)),
    );
    expect(await carrierShipments(orderId!)).toBe(2);
    // The same fact delivered again under another event id (a replay, a second worker): nothing new.
    const row = await db.outboxEvent.findFirstOrThrow({ where: { aggregateId: orderId!, type: "order.paid" } });
    expect(await dispatch(fulfilment, { ...toEnvelope(row), id: randomUUID() }, 1, deps())).toEqual({ kind: "done" });
    expect(await shipments()).toHaveLength(3);
    expect(await carrierShipments(orderId!)).toBe(2);
    expect(await db.outboxEvent.count({ where: { aggregateId: orderId!, type: "shipment.created" } })).toBe(3);
    // Partly shipped by hand, so the order stays fulfilling, with no second move to it.
    expect(await db.order.findUniqueOrThrow({ where: { id: orderId! }, select: { status: true } })).toEqual({ status: "fulfilling" });
    expect(await db.orderStatusChange.count({ where: { orderId: orderId!, toStatus: "fulfilling" } })).toBe(1);
  });

  it("books nothing for an order cancelled before its order.paid arrived", async () => {
    const [orderId] = await placeOrders(db, world, 1);
    await deliver(payments(), orderId!, "order.placed");
    await db.order.update({ where: { id: orderId! }, data: { status: "cancelled" } });
    expect(await deliver(createFulfilmentConsumer({ clients, carrierName: "Test Post" }), orderId!, "order.paid")).toEqual({ kind: "done" });
    expect(await db.shipment.count({ where: { orderId: orderId! } })).toBe(0);
    expect(await carrierShipments(orderId!)).toBe(0);
  });

  it("retries, then dead-letters, an order without a usable address", async () => {
    const [orderId] = await placeOrders(db, world, 1);
    await deliver(payments(), orderId!, "order.placed");
    await db.order.update({ where: { id: orderId! }, data: { shippingAddress: { city: "Nowhere" } } });
    const fulfilment = createFulfilmentConsumer({ clients, carrierName: "Test Post" });
    expect(await deliver(fulfilment, orderId!, "order.paid", 1)).toMatchObject({ kind: "retry" });
    const last = await deliver(fulfilment, orderId!, "order.paid", 3);
    expect(last).toMatchObject({ kind: "dead" });
    expect(last.kind === "dead" && last.reason).toMatch(/^failed 3 times: Order .* has no usable shipping address: name: /);
  });
});

describe("a busy or unreachable database", () => {
  it("is a transient failure: the message is retried, never dead-lettered", async () => {
    const [orderId] = await placeOrders(db, world, 1);
    const row = await db.outboxEvent.findFirstOrThrow({
      where: { aggregateId: orderId!, type: "order.placed" },
      select: { id: true, seq: true, type: true, version: true, aggregateType: true, aggregateId: true, payload: true, occurredAt: true },
    });
    const unreachable = createDb("postgresql://postgres@127.0.0.1:1/nowhere", { maxConnections: 1 });
    try {
      // The last attempt: any other failure would be dead-lettered here.
      const outcome = await dispatch(payments(), toEnvelope(row), 3, { ...deps(), db: unreachable }, { firstDelivery: true });
      expect(outcome).toMatchObject({ kind: "retry" });
    } finally {
      await unreachable.$disconnect();
    }
    // Prisma's "unable to start a transaction in the given time" (a pool busy for too long).
    expect(isTransient(new Prisma.PrismaClientKnownRequestError("Transaction API error: Unable to start a transaction in the given time.", { code: "P2028", clientVersion: "7" }))).toBe(true);
    expect(isTransient(new Prisma.PrismaClientKnownRequestError("Unique constraint failed", { code: "P2002", clientVersion: "7" }))).toBe(false);
  });
});

describe("payments", () => {
  it("gives the money and the stock back when the order was cancelled while it was being paid", async () => {
    const [orderId] = await placeOrders(db, world, 1);
    // The buyer cancels right after the gateway captured: the paid transition is refused.
    const racing = {
      ...clients,
      payment: {
        ...clients.payment,
        capture: async (id: string, input: { idempotencyKey: string }) => {
          const result = await clients.payment.capture(id, input);
          await db.$transaction((tx) => cancelOrder(tx, { orderId: orderId!, reason: "Cancelled by the buyer" }));
          return result;
        },
      },
    };
    const refunds = () => services.calls.get("POST /v1/payments/:id/refunds") ?? 0;
    const refundsBefore = refunds();
    const stockBefore = await clients.inventory.getStock(world.sku);
    expect(await deliver(payments(racing), orderId!, "order.placed", 1)).toMatchObject({ kind: "retry", reason: expect.stringMatching(/changed while paying \(cancelled\)/) });
    expect(await deliver(payments(racing), orderId!, "order.placed", 2)).toEqual({ kind: "done" });

    expect(refunds() - refundsBefore).toBe(1);
    expect(await clients.payment.findByReference(orderId!)).toEqual([expect.objectContaining({ status: "refunded", capturedAmount: 10_000, refundedAmount: 10_000 })]);
    const order = await db.order.findUniqueOrThrow({ where: { id: orderId! }, select: { status: true, reservationId: true } });
    expect(order.status).toBe("cancelled");
    // The committed unit is back on the shelf, restocked once under the order's key.
    expect(await reservationStatus(orderId!)).toBe("committed");
    expect((await services.ledger()).adjustmentKeys).toEqual([`${orderId}:restock:${world.sku}`]);
    expect(await clients.inventory.getStock(world.sku)).toMatchObject({ onHand: stockBefore!.onHand, reserved: stockBefore!.reserved - 1 });
    expect(await db.outboxEvent.count({ where: { aggregateId: orderId!, type: "order.paid" } })).toBe(0);
  });

  it("cancels with the gateway's reason on a decline, and the reservation is released", async () => {
    const [orderId] = await placeOrders(db, world, 1, () => 5_013);
    expect(await deliver(payments(), orderId!, "order.placed")).toEqual({ kind: "done" });
    const order = await db.order.findUniqueOrThrow({ where: { id: orderId! }, select: { status: true, cancelReason: true, reservationId: true, payments: { select: { status: true, failureReason: true } } } });
    expect(order).toMatchObject({ status: "cancelled", cancelReason: "Payment failed: card_declined", payments: [{ status: "failed", failureReason: "card_declined" }] });
    expect(await deliver(createReservationsConsumer(clients), orderId!, "order.cancelled")).toEqual({ kind: "done" });
    expect(await reservationStatus(orderId!)).toBe("released");
  });

  it("a request the gateway refuses (here a zero total) fails the payment in a person's words, never the gateway's text", async () => {
    const [orderId] = await placeOrders(db, world, 1, () => 0);
    expect(await deliver(payments(), orderId!, "order.placed")).toEqual({ kind: "done" });
    const order = await db.order.findUniqueOrThrow({ where: { id: orderId! }, select: { status: true, cancelReason: true, payments: { select: { status: true, failureReason: true } } } });
    expect(order).toMatchObject({ status: "cancelled", payments: [{ status: "failed" }] });
    expect(order.cancelReason).toBe(`Payment failed: ${PAYMENT_NOT_PROCESSED}`);
    expect(order.payments[0]!.failureReason).toBe(PAYMENT_NOT_PROCESSED);
    const failed = await db.outboxEvent.findFirstOrThrow({ where: { aggregateId: orderId!, type: "payment.failed" }, select: { payload: true } });
    expect(failed.payload).toMatchObject({ reason: PAYMENT_NOT_PROCESSED });
    // The gateway's own words ("amount: Too small ...", "validation_failed") stay out of what the buyer reads.
    expect(JSON.stringify(order)).not.toMatch(/amount|validation|too small/i);
  });
});

describe("metrics", () => {
  it("exposes the pipeline's figures on the registry /metrics serves", async () => {
    const registry = new Registry();
    const metrics = createPipelineMetrics(registry, db);
    const [orderId] = await placeOrders(db, world, 1, () => 5_013);
    await dispatch(payments(), toEnvelope(await db.outboxEvent.findFirstOrThrow({ where: { aggregateId: orderId! } })), 1, { ...deps(), metrics });
    const text = await registry.metrics();
    for (const name of ["lavka_outbox_backlog", "lavka_outbox_publish_latency_seconds", "lavka_consumer_lag_seconds", "lavka_consumer_retries_total", "lavka_dead_letters_total", "lavka_event_deliveries_pending"]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).toMatch(/lavka_consumer_lag_seconds_count\{consumer="payments"\} 1/);
    expect(text).toMatch(/lavka_outbox_backlog \d+/);
  });
});
