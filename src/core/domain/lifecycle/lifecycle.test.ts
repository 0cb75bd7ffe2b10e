// Every transition table walked against a real database: each move the table allows is applied
// through its lifecycle function (status, history row, outbox events checked), and each move it
// does not allow, from every status, is refused with nothing written. The functions run on the
// pool (no surrounding transaction), so a write made before a refusal would show.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type Db, type TestDatabase } from "../../../../tests/helpers/db";
import { createProduct, createSellerUser, createUser, type TestSeller } from "../../../../tests/helpers/fixtures";
import { createOrder, type OrderableProduct, type TestOrder } from "../../../../tests/helpers/orders-fixtures";
import { DomainError } from "~/core/errors";
import { OrderStatus, PaymentStatus, ShipmentStatus } from "~/generated/prisma/enums";
import {
  advanceOrder,
  applyCarrierStatus,
  bookShipments,
  cancelOrder,
  failOrderPayment,
  handOverShipment,
  lockOrder,
  markOrderPaid,
  OPENED_ORDER,
  openOrderSql,
  ORDER_TRANSITIONS,
  orderPayment,
  PAYMENT_GATEWAY,
  PAYMENT_TRANSITIONS,
  SHIPMENT_TRANSITIONS,
  voidOrderPayment,
} from "./index";
import { creation, findTransition } from "./table";

let testDb: TestDatabase;
let db: Db;
let buyerId: string;
let seller: TestSeller;
let product: OrderableProduct;
const now = new Date("2026-03-02T10:00:00.000Z");

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  buyerId = (await createUser(db, "buyer")).id;
  seller = await createSellerUser(db);
  product = await createProduct(db, seller.sellerId, { priceMinor: 2500 });
});
afterAll(async () => testDb?.drop());

const orderStatuses = Object.values(OrderStatus);
const paymentStatuses = Object.values(PaymentStatus);
const shipmentStatuses = Object.values(ShipmentStatus);

/** Everything a transition may write about one order. */
async function written(orderId: string) {
  const [order, payments, shipments, lines, history, events] = await Promise.all([
    db.order.findUniqueOrThrow({ where: { id: orderId }, select: { status: true, cancelReason: true, paidAt: true, cancelledAt: true, updatedAt: true } }),
    db.payment.findMany({ where: { orderId }, orderBy: { id: "asc" }, select: { id: true, status: true, failureReason: true, gatewayRef: true, updatedAt: true } }),
    db.shipment.findMany({
      where: { orderId },
      orderBy: { id: "asc" },
      select: { id: true, sellerId: true, status: true, carrier: true, trackingNumber: true, shippedAt: true, deliveredAt: true, updatedAt: true },
    }),
    db.orderLine.findMany({ where: { orderId }, orderBy: { id: "asc" }, select: { id: true, shipmentId: true } }),
    db.orderStatusChange.findMany({ where: { orderId }, orderBy: { id: "asc" }, select: { id: true, fromStatus: true, toStatus: true, reason: true, at: true } }),
    db.outboxEvent.findMany({ where: { aggregateId: orderId }, orderBy: { seq: "asc" }, select: { type: true, aggregateType: true, payload: true, occurredAt: true } }),
  ]);
  return { order, payments, shipments, lines, history, events };
}
type Written = Awaited<ReturnType<typeof written>>;

/** What a transition added: history rows and outbox events that were not there before. */
function added(before: Written, after: Written) {
  const known = new Set(before.history.map((h) => h.id));
  return { history: after.history.filter((h) => !known.has(h.id)), events: after.events.slice(before.events.length) };
}

/** An order in `status` (fixture: its payment captured once paid, failed once cancelled), its payment set to `payment`. */
async function orderIn(status: OrderStatus, payment?: PaymentStatus): Promise<TestOrder & { paymentId: string }> {
  const order = await createOrder(db, buyerId, [{ product, quantity: 2 }], { status });
  const { id: paymentId } = await db.payment.findFirstOrThrow({ where: { orderId: order.id }, select: { id: true } });
  if (payment) await db.payment.update({ where: { id: paymentId }, data: { status: payment }, select: { id: true } });
  return { ...order, paymentId };
}

/** The seller's shipment of `order` in `status`, booked with the carrier. */
async function shipmentIn(order: TestOrder, status: ShipmentStatus) {
  return db.shipment.create({
    data: { orderId: order.id, sellerId: seller.sellerId, carrier: "Lavka Delivery", carrierRef: `CR-${randomUUID()}`, trackingNumber: `T-${randomUUID()}`, status },
    select: { id: true, status: true },
  });
}

const eventTypes = (w: { events: { type: string }[] }) => w.events.map((e) => e.type);
const label = (s: string | null) => s ?? "(none)";

describe("order transitions", () => {
  it("place: a new order opens in pending_payment with its first history row, a pending payment and order.placed", async () => {
    const row = findTransition(ORDER_TRANSITIONS, "place", null, "pending_payment")!;
    const id = randomUUID();
    const sql = openOrderSql({
      id,
      buyerId,
      currency: "EUR",
      subtotalMinor: 5000,
      shippingMinor: 0,
      totalMinor: 5000,
      idempotencyKey: randomUUID(),
      requestHash: "h",
      reservationId: "res-1",
      reservationExpiresAt: new Date(now.getTime() + 900_000),
      shippingAddress: { name: "A", line1: "1 Street", city: "Town", postalCode: "1", country: "DE" },
      lines: [{ productId: product.id, sellerId: seller.sellerId, sku: product.sku, quantity: 2, unitPriceMinor: 2500 }],
      now,
    });
    const [placed] = await db.$queryRaw<{ number: number }[]>`WITH ${sql} SELECT number FROM ${OPENED_ORDER}`;
    const after = await written(id);
    expect(after.order.status).toBe(row.to);
    expect(after.history).toEqual([expect.objectContaining({ fromStatus: null, toStatus: row.to, reason: "order placed", at: now })]);
    expect(after.payments).toEqual([expect.objectContaining({ status: creation(PAYMENT_TRANSITIONS, "open").to })]);
    expect(await db.payment.findFirstOrThrow({ where: { orderId: id }, select: { gateway: true, amountMinor: true } })).toEqual({ gateway: PAYMENT_GATEWAY, amountMinor: 5000n });
    expect(eventTypes(after)).toEqual(row.events);
    expect(after.events[0]).toMatchObject({ aggregateType: "order", occurredAt: now, payload: { orderId: id, orderNumber: placed!.number, buyerId, reservationId: "res-1" } });
  });

  for (const from of orderStatuses) {
    it(`place: refused over an existing order (${from}), nothing written`, async () => {
      const order = await orderIn(from);
      const before = await written(order.id);
      const sql = openOrderSql({
        id: order.id,
        buyerId,
        currency: "EUR",
        subtotalMinor: 1,
        shippingMinor: 0,
        totalMinor: 1,
        idempotencyKey: randomUUID(),
        requestHash: "h",
        reservationId: "res-2",
        reservationExpiresAt: now,
        shippingAddress: {},
        lines: [{ productId: product.id, sellerId: seller.sellerId, sku: product.sku, quantity: 1, unitPriceMinor: 1 }],
        now,
      });
      await expect(db.$queryRaw`WITH ${sql} SELECT number FROM ${OPENED_ORDER}`).rejects.toThrow();
      expect(await written(order.id)).toEqual(before);
    });
  }

  for (const from of orderStatuses) {
    const row = findTransition(ORDER_TRANSITIONS, "pay", from, "paid");
    it(`pay: ${from} -> paid is ${row ? "allowed" : "refused"}`, async () => {
      const order = await orderIn(from, "pending");
      const before = await written(order.id);
      const result = await markOrderPaid(db, { orderId: order.id, paymentId: order.paymentId, gatewayRef: "gw-1", now });
      const after = await written(order.id);
      if (!row) {
        expect(result).toEqual({ ok: false, reason: "wrong_status", status: from });
        expect(after).toEqual(before);
        return;
      }
      expect(result).toMatchObject({ ok: true, order: { id: order.id, status: "paid" } });
      expect(after.order).toMatchObject({ status: "paid", paidAt: now });
      expect(after.payments).toEqual([expect.objectContaining({ status: "captured", gatewayRef: "gw-1" })]);
      const { history, events } = added(before, after);
      expect(history).toEqual([expect.objectContaining({ fromStatus: from, toStatus: "paid", at: now })]);
      expect(events.map((e) => e.type)).toEqual([...findTransition(PAYMENT_TRANSITIONS, "capture", "pending", "captured")!.events, ...row.events]);
      expect(events.map((e) => e.payload)).toEqual([
        { orderId: order.id, orderNumber: order.number, paymentId: order.paymentId, gatewayRef: "gw-1", amount: { amountMinor: 5000, currency: "EUR" } },
        { orderId: order.id, orderNumber: order.number, buyerId, total: { amountMinor: 5000, currency: "EUR" }, paidAt: now.toISOString() },
      ]);
    });
  }

  for (const from of orderStatuses) {
    const row = findTransition(ORDER_TRANSITIONS, "cancel", from, "cancelled");
    it(`cancel: ${from} -> cancelled is ${row ? "allowed" : "refused"}`, async () => {
      const order = await orderIn(from);
      const before = await written(order.id);
      const result = await cancelOrder(db, { orderId: order.id, reason: "Changed my mind", now });
      const after = await written(order.id);
      if (!row) {
        expect(result).toEqual({ ok: false, reason: "wrong_status", status: from });
        expect(after).toEqual(before);
        return;
      }
      expect(result).toMatchObject({ ok: true, order: { status: "cancelled" } });
      expect(after.order).toMatchObject({ status: "cancelled", cancelReason: "Changed my mind", cancelledAt: now });
      const { history, events } = added(before, after);
      expect(history).toEqual([expect.objectContaining({ fromStatus: from, toStatus: "cancelled", reason: "Changed my mind", at: now })]);
      expect(events.map((e) => e.type)).toEqual(row.events);
      expect(events[0]!.payload).toEqual({ orderId: order.id, orderNumber: order.number, reason: "Changed my mind" });
    });
  }

  for (const from of orderStatuses) {
    for (const to of orderStatuses) {
      const row = findTransition(ORDER_TRANSITIONS, "fulfil", from, to);
      it(`fulfil (the order follows its shipments): ${from} -> ${to} is ${row ? "allowed" : "refused"}`, async () => {
        const order = await orderIn(from);
        const before = await written(order.id);
        const locked = (await lockOrder(db, order.id))!;
        const result = await advanceOrder(db, locked, to, { reason: "Every part has shipped", now });
        const after = await written(order.id);
        if (!row) {
          expect(result).toEqual({ ok: false, reason: "wrong_status", status: from });
          expect(after).toEqual(before);
          return;
        }
        expect(result).toMatchObject({ ok: true, order: { status: to } });
        expect(after.order.status).toBe(to);
        const { history, events } = added(before, after);
        expect(history).toEqual([expect.objectContaining({ fromStatus: from, toStatus: to, reason: "Every part has shipped", at: now })]);
        expect(events.map((e) => e.type)).toEqual(row.events);
      });
    }
  }
});

describe("payment transitions", () => {
  it("open: an order without a payment gets a pending one with the gateway's label; the same call again writes nothing", async () => {
    const order = await orderIn("pending_payment");
    await db.payment.deleteMany({ where: { orderId: order.id } });
    const id = await orderPayment(db, { id: order.id, totalMinor: 5000, currency: "EUR" });
    expect(await db.payment.findMany({ where: { orderId: order.id }, select: { id: true, status: true, gateway: true } })).toEqual([
      { id, status: creation(PAYMENT_TRANSITIONS, "open").to, gateway: PAYMENT_GATEWAY },
    ]);
    const before = await written(order.id);
    expect(await orderPayment(db, { id: order.id, totalMinor: 5000, currency: "EUR" })).toBe(id);
    expect(await written(order.id)).toEqual(before);
  });

  for (const from of paymentStatuses) {
    it(`open: refused while the order has a payment (${from}): that one is the order's, nothing written`, async () => {
      const order = await orderIn("pending_payment", from);
      const before = await written(order.id);
      expect(await orderPayment(db, { id: order.id, totalMinor: 5000, currency: "EUR" })).toBe(order.paymentId);
      expect(await written(order.id)).toEqual(before);
    });
  }

  for (const from of paymentStatuses) {
    const row = findTransition(PAYMENT_TRANSITIONS, "capture", from, "captured");
    it(`capture: ${from} -> captured is ${row ? "allowed" : "refused"}`, async () => {
      const order = await orderIn("pending_payment", from);
      const before = await written(order.id);
      const result = await markOrderPaid(db, { orderId: order.id, paymentId: order.paymentId, gatewayRef: "gw-2", now });
      const after = await written(order.id);
      if (!row) {
        expect(result).toEqual({ ok: false, reason: "payment_wrong_status", status: from });
        expect(after).toEqual(before);
        return;
      }
      expect(after.payments).toEqual([expect.objectContaining({ status: "captured", gatewayRef: "gw-2", failureReason: null, updatedAt: now })]);
      expect(after.order.status).toBe("paid");
      const { history, events } = added(before, after);
      expect(history).toEqual([expect.objectContaining({ fromStatus: "pending_payment", toStatus: "paid" })]);
      expect(events.map((e) => e.type)).toEqual([...row.events, ...findTransition(ORDER_TRANSITIONS, "pay", "pending_payment", "paid")!.events]);
    });
  }

  for (const from of paymentStatuses) {
    const row = findTransition(PAYMENT_TRANSITIONS, "decline", from, "failed");
    it(`decline: ${from} -> failed is ${row ? "allowed" : "refused"}`, async () => {
      const order = await orderIn("pending_payment", from);
      const before = await written(order.id);
      const result = await failOrderPayment(db, { orderId: order.id, paymentId: order.paymentId, reason: "insufficient funds", gatewayRef: "gw-3", now });
      const after = await written(order.id);
      if (!row) {
        expect(result).toEqual({ ok: false, reason: "payment_wrong_status", status: from });
        expect(after).toEqual(before);
        return;
      }
      expect(result).toMatchObject({ ok: true, order: { status: "cancelled" } });
      expect(after.payments).toEqual([expect.objectContaining({ status: "failed", failureReason: "insufficient funds", gatewayRef: "gw-3", updatedAt: now })]);
      expect(after.order).toMatchObject({ status: "cancelled", cancelReason: "Payment failed: insufficient funds" });
      const { history, events } = added(before, after);
      expect(history).toEqual([expect.objectContaining({ fromStatus: "pending_payment", toStatus: "cancelled", reason: "Payment failed: insufficient funds" })]);
      expect(events.map((e) => e.type)).toEqual([...findTransition(ORDER_TRANSITIONS, "cancel", "pending_payment", "cancelled")!.events, ...row.events]);
      expect(events.at(-1)!.payload).toEqual({ orderId: order.id, orderNumber: order.number, paymentId: order.paymentId, reason: "insufficient funds" });
    });
  }

  for (const from of paymentStatuses) {
    const row = findTransition(PAYMENT_TRANSITIONS, "abandon", from, "failed");
    it(`abandon (a voided authorization): ${from} -> failed is ${row ? "allowed" : "refused"}`, async () => {
      const order = await orderIn("pending_payment", from);
      const before = await written(order.id);
      const input = { orderId: order.id, paymentId: order.paymentId, gatewayRef: "gw-4", reason: "The stock is gone.", failureReason: "voided", now };
      const result = await voidOrderPayment(db, input);
      const after = await written(order.id);
      if (!row) {
        expect(result).toEqual({ ok: false, reason: "payment_wrong_status", status: from });
        expect(after).toEqual(before);
        return;
      }
      expect(after.payments).toEqual([expect.objectContaining({ status: "failed", failureReason: "voided", gatewayRef: "gw-4" })]);
      expect(after.order).toMatchObject({ status: "cancelled", cancelReason: "The stock is gone." });
      const { history, events } = added(before, after);
      expect(history).toEqual([expect.objectContaining({ fromStatus: "pending_payment", toStatus: "cancelled" })]);
      expect(events.map((e) => e.type)).toEqual([...findTransition(ORDER_TRANSITIONS, "cancel", "pending_payment", "cancelled")!.events, ...row.events]);
    });

    it(`abandon (the order cancelled): another payment ${from} is ${row ? "failed with the order's reason" : "left as it is"}`, async () => {
      const order = await orderIn("pending_payment");
      const other = await db.payment.create({
        data: { orderId: order.id, gateway: PAYMENT_GATEWAY, idempotencyKey: randomUUID(), status: from, amountMinor: 5000, currency: "EUR" },
        select: { id: true, status: true, failureReason: true },
      });
      await cancelOrder(db, { orderId: order.id, reason: "Payment was not completed in time", now });
      const after = await db.payment.findUniqueOrThrow({ where: { id: other.id }, select: { id: true, status: true, failureReason: true } });
      expect(after).toEqual(row ? { id: other.id, status: "failed", failureReason: "Payment was not completed in time" } : other);
    });
  }
});

describe("shipment transitions", () => {
  const booking = () => ({ sellerId: seller.sellerId, carrier: "Lavka Delivery", carrierRef: `CR-${randomUUID()}`, trackingNumber: `T-${randomUUID()}` });

  it("book: a part without a shipment gets one (created), its lines linked, shipment.created", async () => {
    const row = findTransition(SHIPMENT_TRANSITIONS, "book", null, "created")!;
    const order = await orderIn("paid");
    const before = await written(order.id);
    const part = booking();
    const result = await bookShipments(db, order, [part], now);
    const after = await written(order.id);
    expect(result.refused).toEqual([]);
    expect(after.shipments).toEqual([expect.objectContaining({ id: result.booked[0], status: row.to, trackingNumber: part.trackingNumber })]);
    expect(after.lines.every((l) => l.shipmentId === result.booked[0])).toBe(true);
    const { events } = added(before, after);
    expect(events.map((e) => e.type)).toEqual(row.events);
    expect(events[0]!.payload).toEqual({ orderId: order.id, orderNumber: order.number, shipmentId: result.booked[0], sellerId: seller.sellerId, carrier: "Lavka Delivery", trackingNumber: part.trackingNumber });
  });

  for (const from of shipmentStatuses) {
    it(`book: refused for a part that has a shipment (${from}), nothing written`, async () => {
      const order = await orderIn("paid");
      await shipmentIn(order, from);
      const before = await written(order.id);
      expect(await bookShipments(db, order, [booking()], now)).toEqual({ booked: [], refused: [{ ok: false, reason: "wrong_status", status: from, sellerId: seller.sellerId }] });
      expect(await written(order.id)).toEqual(before);
    });
  }

  for (const from of [null, ...shipmentStatuses]) {
    const row = findTransition(SHIPMENT_TRANSITIONS, "hand_over", from, "in_transit");
    it(`hand_over (the seller ships by hand): ${label(from)} -> in_transit is ${row ? "allowed" : "refused"}`, async () => {
      const order = await orderIn("paid");
      const current = from === null ? null : await shipmentIn(order, from);
      const before = await written(order.id);
      const handOver = () => handOverShipment(db, order, current, { sellerId: seller.sellerId, carrier: "dhl", trackingNumber: `H-${order.number}`, now });
      if (!row) {
        await expect(handOver()).rejects.toSatisfy((e) => e instanceof DomainError && e.kind === "conflict");
        expect(await written(order.id)).toEqual(before);
        return;
      }
      const shipmentId = await handOver();
      const after = await written(order.id);
      expect(after.shipments).toEqual([expect.objectContaining({ id: shipmentId, status: "in_transit", carrier: "dhl", trackingNumber: `H-${order.number}`, shippedAt: now })]);
      expect(after.lines.every((l) => l.shipmentId === shipmentId)).toBe(true);
      const { events } = added(before, after);
      expect(events.map((e) => e.type)).toEqual(row.events);
      expect(events.at(-1)!.payload).toEqual({ orderId: order.id, orderNumber: order.number, shipmentId, status: "in_transit", occurredAt: now.toISOString() });
    });
  }

  for (const from of shipmentStatuses) {
    for (const to of shipmentStatuses) {
      const row = findTransition(SHIPMENT_TRANSITIONS, "carrier", from, to);
      it(`carrier news: ${from} -> ${to} is ${row ? "allowed" : "refused"}`, async () => {
        const order = await orderIn("fulfilling");
        const shipment = await shipmentIn(order, from);
        const before = await written(order.id);
        const occurredAt = new Date(now.getTime() - 60_000);
        const result = await applyCarrierStatus(db, order, shipment, to, { occurredAt, now });
        const after = await written(order.id);
        if (!row) {
          expect(result).toEqual({ ok: false, reason: "wrong_status", status: from });
          expect(after).toEqual(before);
          return;
        }
        expect(result).toEqual({ ok: true });
        expect(after.shipments).toEqual([
          expect.objectContaining({ status: to, shippedAt: to === "in_transit" ? occurredAt : null, deliveredAt: to === "delivered" ? occurredAt : null }),
        ]);
        const { events } = added(before, after);
        expect(events.map((e) => e.type)).toEqual(row.events);
        expect(events[0]!.payload).toEqual({ orderId: order.id, orderNumber: order.number, shipmentId: shipment.id, status: to, occurredAt: occurredAt.toISOString() });
      });
    }
  }
});
