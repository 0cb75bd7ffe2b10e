import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api";
import { createAdminUser, createProduct, createSellerUser, createUser, type TestSeller } from "../../../../tests/helpers/fixtures";
import { createOrder, type OrderableProduct } from "../../../../tests/helpers/orders-fixtures";
import type { Db } from "~/lib/db";
import type { AuthUser } from "~/core/domain/actor";

let api: TestApi;
let db: Db;
let buyer: AuthUser;
let otherBuyer: AuthUser;
let admin: AuthUser;
let sellerA: TestSeller;
let sellerB: TestSeller;
let productA: OrderableProduct;
let productB: OrderableProduct;
const as = (user: AuthUser) => api.caller(user);

beforeAll(async () => {
  api = await startTestApi();
  db = api.deps.db;
  buyer = await createUser(db, "buyer");
  otherBuyer = await createUser(db, "buyer");
  admin = await createAdminUser(db);
  sellerA = await createSellerUser(db);
  sellerB = await createSellerUser(db);
  productA = await createProduct(db, sellerA.sellerId, { priceMinor: 1500 });
  productB = await createProduct(db, sellerB.sellerId, { priceMinor: 700 });
});
afterAll(() => api?.close());

/** Outbox event types of an order, optionally only those about one shipment. */
async function outboxTypes(orderId: string, shipmentId?: string): Promise<string[]> {
  const rows = await db.outboxEvent.findMany({ where: { aggregateId: orderId }, orderBy: { seq: "asc" }, select: { type: true, payload: true } });
  return rows.filter((r) => !shipmentId || (r.payload as { shipmentId?: string }).shipmentId === shipmentId).map((r) => r.type);
}

describe("orders.list / orders.get (buyer)", () => {
  it("counts an order's units the way the cart did, not its lines", async () => {
    const shopper = await createUser(db, "buyer");
    const order = await createOrder(db, shopper.id, [
      { product: productA, quantity: 5 },
      { product: productB, quantity: 2 },
    ]);
    const [listed] = (await as(shopper).orders.list({})).items;
    expect(listed).toMatchObject({ id: order.id, units: 7, _count: { lines: 2 } });
    expect((await as(admin).orders.adminList({ buyerId: shopper.id })).items[0]).toMatchObject({ id: order.id, units: 7 });
  });

  it("lists only the caller's orders, newest first, page by page, filtered by status", async () => {
    const base = Date.parse("2026-01-01T00:00:00Z");
    const mine = [];
    for (let i = 0; i < 5; i++) {
      mine.push(
        await createOrder(db, buyer.id, [{ product: productA, quantity: 1 }], {
          placedAt: new Date(base + i * 60_000),
          status: i % 2 === 0 ? "paid" : "pending_payment",
        }),
      );
    }
    await createOrder(db, otherBuyer.id, [{ product: productA, quantity: 1 }], { placedAt: new Date(base + 10 * 60_000) });
    const caller = as(buyer);

    const first = await caller.orders.list({ limit: 2 });
    expect(first.items.map((o) => o.id)).toEqual([mine[4]!.id, mine[3]!.id]);
    expect(first.items[0]).toMatchObject({ totalMinor: 1500, currency: "EUR", _count: { lines: 1 }, units: 1 });
    const second = await caller.orders.list({ limit: 2, cursor: first.nextCursor });
    const third = await caller.orders.list({ limit: 2, cursor: second.nextCursor });
    expect([...second.items, ...third.items].map((o) => o.id)).toEqual([mine[2]!.id, mine[1]!.id, mine[0]!.id]);
    expect(third.nextCursor).toBeNull();

    const paid = await caller.orders.list({ status: "paid" });
    expect(paid.items.map((o) => o.id)).toEqual([mine[4]!.id, mine[2]!.id, mine[0]!.id]);

    await expect(caller.orders.list({ cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("shows lines, status history, payments and shipments with their tracking timeline", async () => {
    const order = await createOrder(
      db,
      buyer.id,
      [
        { product: productA, quantity: 2 },
        { product: productB, quantity: 1 },
      ],
      { status: "paid" },
    );
    const shipment = await db.shipment.create({
      data: { orderId: order.id, sellerId: sellerA.sellerId, carrier: "dhl", trackingNumber: `T-${order.number}`, status: "in_transit" },
      select: { id: true },
    });
    await db.trackingEvent.createMany({
      data: [
        { shipmentId: shipment.id, externalId: "e2", status: "in_transit", description: "Left the depot", occurredAt: new Date("2026-02-02T10:00:00Z") },
        { shipmentId: shipment.id, externalId: "e1", status: "created", description: "Label created", occurredAt: new Date("2026-02-01T10:00:00Z") },
      ],
    });

    const detail = await as(buyer).orders.get({ orderId: order.id });
    expect(detail.number).toBe(order.number);
    expect(detail.totalMinor).toBe(3700);
    expect(detail.lines.map((l) => [l.title, l.quantity, l.lineTotalMinor]).sort()).toEqual(
      [
        [productA.title, 2, 3000],
        [productB.title, 1, 700],
      ].sort(),
    );
    expect(detail.statusHistory.map((h) => h.toStatus)).toEqual(["pending_payment", "paid"]);
    expect(detail.payments).toEqual([expect.objectContaining({ status: "captured", amountMinor: 3700, currency: "EUR" })]);
    expect(detail.shipments).toHaveLength(1);
    expect(detail.shipments[0]!.events.map((e) => e.description)).toEqual(["Label created", "Left the depot"]);

    // Someone else's order does not exist, as far as they can tell.
    await expect(as(otherBuyer).orders.get({ orderId: order.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(as(admin).orders.get({ orderId: order.id })).resolves.toMatchObject({ id: order.id });
    await expect(as(buyer).orders.get({ orderId: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("rejects malformed input naming the field", async () => {
    await expect(as(buyer).orders.get({ orderId: "nope" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(as(buyer).orders.list({ limit: 1000 } as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(as(buyer).orders.list({ extra: 1 } as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("orders.cancel", () => {
  it("cancels an unpaid order once: history, reason and one order.cancelled event", async () => {
    const order = await createOrder(db, buyer.id, [{ product: productA, quantity: 1 }]);
    const caller = as(buyer);
    const cancelled = await caller.orders.cancel({ orderId: order.id, reason: "Changed my mind" });
    expect(cancelled).toMatchObject({ status: "cancelled", cancelReason: "Changed my mind" });
    expect(cancelled.statusHistory.at(-1)).toMatchObject({ fromStatus: "pending_payment", toStatus: "cancelled" });

    // A retried request answers the same, and writes nothing more.
    await expect(caller.orders.cancel({ orderId: order.id })).resolves.toMatchObject({ status: "cancelled" });
    expect(await outboxTypes(order.id)).toEqual(["order.cancelled"]);
  });

  it("refuses paid orders and other people's orders", async () => {
    const paid = await createOrder(db, buyer.id, [{ product: productA, quantity: 1 }], { status: "paid" });
    await expect(as(buyer).orders.cancel({ orderId: paid.id })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("only orders awaiting payment"),
    });
    const unpaid = await createOrder(db, buyer.id, [{ product: productA, quantity: 1 }]);
    await expect(as(otherBuyer).orders.cancel({ orderId: unpaid.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await outboxTypes(unpaid.id)).toEqual([]);
  });
});

describe("orders.sellerLines / orders.markShipped (seller)", () => {
  it("shows each seller only their own lines, grouped per order", async () => {
    const mixed = await createOrder(
      db,
      buyer.id,
      [
        { product: productA, quantity: 3 },
        { product: productB, quantity: 2 },
      ],
      { status: "paid" },
    );
    const page = await as(sellerB).orders.sellerLines({ status: "paid" });
    const entry = page.items.find((o) => o.id === mixed.id);
    expect(entry).toMatchObject({ number: mixed.number, sellerSubtotalMinor: 1400, shipment: null });
    expect(entry!.lines).toEqual([expect.objectContaining({ productId: productB.id, quantity: 2 })]);
    expect(page.items.every((o) => o.lines.every((l) => l.productId === productB.id))).toBe(true);
    expect(page.items.every((o) => o.status === "paid")).toBe(true);
  });

  it("ships each seller's part: fulfilling after the first, shipped after the last, idempotent", async () => {
    const order = await createOrder(
      db,
      buyer.id,
      [
        { product: productA, quantity: 1 },
        { product: productB, quantity: 1 },
      ],
      { status: "paid" },
    );
    const tracking = `TRK-${order.number}`;
    const a = as(sellerA);
    const shipped = await a.orders.markShipped({ orderId: order.id, carrier: "dhl", trackingNumber: `${tracking}-A` });
    expect(shipped.status).toBe("fulfilling");
    expect(shipped.shipment).toMatchObject({ carrier: "dhl", trackingNumber: `${tracking}-A`, status: "in_transit" });
    const shipmentId = shipped.shipment!.id;
    expect(await outboxTypes(order.id, shipmentId)).toEqual(["shipment.created", "shipment.status_changed"]);
    const linked = await db.orderLine.findMany({ where: { orderId: order.id, sellerId: sellerA.sellerId }, select: { shipmentId: true } });
    expect(linked.every((l) => l.shipmentId === shipmentId)).toBe(true);

    // Same call again: nothing changes, no new events.
    await a.orders.markShipped({ orderId: order.id, carrier: "dhl", trackingNumber: `${tracking}-A` });
    expect(await outboxTypes(order.id, shipmentId)).toHaveLength(2);
    await expect(a.orders.markShipped({ orderId: order.id, carrier: "dhl", trackingNumber: "OTHER-1" })).rejects.toMatchObject({
      code: "CONFLICT",
    });

    // Seller B's shipment already exists (the fulfilment pipeline created it): updated, one status event.
    const existing = await db.shipment.create({
      data: { orderId: order.id, sellerId: sellerB.sellerId, carrier: "ups", status: "created" },
      select: { id: true },
    });
    const done = await as(sellerB).orders.markShipped({ orderId: order.id, carrier: "ups", trackingNumber: `${tracking}-B` });
    expect(done.status).toBe("shipped");
    expect(done.shipment).toMatchObject({ id: existing.id, status: "in_transit", trackingNumber: `${tracking}-B` });
    expect(await outboxTypes(order.id, existing.id)).toEqual(["shipment.status_changed"]);

    const detail = await as(buyer).orders.get({ orderId: order.id });
    expect(detail.statusHistory.map((h) => h.toStatus)).toEqual(["pending_payment", "paid", "fulfilling", "shipped"]);
  });

  it("keeps a shipment booked with the carrier on its own label", async () => {
    const order = await createOrder(db, buyer.id, [{ product: productA, quantity: 1 }], { status: "fulfilling" });
    await db.shipment.create({
      data: { orderId: order.id, sellerId: sellerA.sellerId, carrier: "reference", carrierRef: `CR-${order.id}`, trackingNumber: `RT-${order.number}`, status: "created" },
      select: { id: true },
    });
    await expect(as(sellerA).orders.markShipped({ orderId: order.id, carrier: "dhl", trackingNumber: "MINE-1" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining(`RT-${order.number}`),
    });
    const shipped = await as(sellerA).orders.markShipped({ orderId: order.id, carrier: "reference", trackingNumber: `RT-${order.number}` });
    expect(shipped).toMatchObject({ status: "shipped", shipment: { status: "in_transit", trackingNumber: `RT-${order.number}` } });
  });

  it("refuses unpaid orders, other sellers' orders and a tracking number already in use", async () => {
    const unpaid = await createOrder(db, buyer.id, [{ product: productA, quantity: 1 }]);
    const a = as(sellerA);
    await expect(a.orders.markShipped({ orderId: unpaid.id, carrier: "dhl", trackingNumber: "X1" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("not paid yet"),
    });
    const onlyA = await createOrder(db, buyer.id, [{ product: productA, quantity: 1 }], { status: "paid" });
    await expect(
      as(sellerB).orders.markShipped({ orderId: onlyA.id, carrier: "dhl", trackingNumber: "X2" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });

    const first = await createOrder(db, buyer.id, [{ product: productA, quantity: 1 }], { status: "paid" });
    await a.orders.markShipped({ orderId: first.id, carrier: "dhl", trackingNumber: "DUP-1" });
    await expect(a.orders.markShipped({ orderId: onlyA.id, carrier: "dhl", trackingNumber: "DUP-1" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("trackingNumber"),
    });
    // The failed attempt left the order untouched.
    expect((await as(buyer).orders.get({ orderId: onlyA.id })).status).toBe("paid");
  });

  it("needs a shop: a seller-role account without a profile is refused", async () => {
    const shopless = await createUser(db, "seller");
    await expect(as(shopless).orders.sellerLines({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("orders.adminList", () => {
  it("lists everyone's orders with the buyer, filtered by status and buyer", async () => {
    const o = await createOrder(db, otherBuyer.id, [{ product: productB, quantity: 1 }], { status: "delivered" });
    const caller = as(admin);
    const delivered = await caller.orders.adminList({ status: "delivered" });
    expect(delivered.items.map((i) => i.id)).toContain(o.id);
    expect(delivered.items.every((i) => i.status === "delivered")).toBe(true);
    expect(delivered.items.find((i) => i.id === o.id)?.buyer).toMatchObject({ id: otherBuyer.id, email: otherBuyer.email });
    const byBuyer = await caller.orders.adminList({ buyerId: otherBuyer.id, limit: 100 });
    expect(byBuyer.items.every((i) => i.buyer.id === otherBuyer.id)).toBe(true);
  });
});
