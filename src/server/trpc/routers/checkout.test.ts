import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createLogger } from "~/lib/logger";
import { createInventoryClient } from "~/core/integrations/inventory";
import { createAvailabilityReader } from "~/core/domain/catalog/availability";
import { createContextInner } from "~/server/trpc/context";
import { createCaller } from "~/server/trpc/root";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { createSellerUser, createStockedProduct, createUser, fillCart, type TestSeller } from "../../../../tests/helpers/fixtures.ts";
import { testClock } from "../../../../tests/helpers/wait.ts";

const address = { name: "Ada Buyer", line1: "1 Main St", city: "Berlin", postalCode: "10115", country: "DE" };

let api: TestApi;
let seller: TestSeller;
// Reservations are made on a clock that stands still: their expiry depends on the setting, not
// on how long a busy machine takes to get to the reservation.
const inventoryClock = testClock();
beforeAll(async () => {
  api = await startTestApi({ maxConnections: 10, inventoryPoolSize: 10, inventoryNow: inventoryClock.now });
  seller = await createSellerUser(api.deps.db);
});
afterAll(() => api?.close());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
}

describe("checkout.place", () => {
  test("places an order: snapshot lines, pending payment, status change, outbox event, cart emptied, stock reserved", async () => {
    const { db } = api.deps;
    const buyer = await createUser(db);
    const p = await createStockedProduct(api.deps, seller.sellerId, 5, { priceMinor: 1250, currency: "EUR" });
    await fillCart(db, buyer.id, [{ productId: p.id, quantity: 2 }]);
    const order = await api.caller(buyer).checkout.place({ idempotencyKey: randomUUID(), shippingAddress: address });

    expect(order).toMatchObject({ status: "pending_payment", currency: "EUR", subtotalMinor: 2500, totalMinor: 2500 });
    expect(order.lines).toEqual([expect.objectContaining({ productId: p.id, sellerId: seller.sellerId, sku: p.sku, unitPriceMinor: 1250, quantity: 2, lineTotalMinor: 2500 })]);
    const payment = await db.payment.findFirstOrThrow({ where: { orderId: order.id }, select: { status: true, amountMinor: true, currency: true } });
    expect(payment).toEqual({ status: "pending", amountMinor: 2500n, currency: "EUR" });
    expect(await db.orderStatusChange.count({ where: { orderId: order.id, toStatus: "pending_payment" } })).toBe(1);
    const event = await db.outboxEvent.findFirstOrThrow({ where: { aggregateId: order.id }, select: { type: true, payload: true } });
    expect(event.type).toBe("order.placed");
    expect(event.payload).toMatchObject({ orderId: order.id, orderNumber: order.number, total: { amountMinor: 2500, currency: "EUR" } });
    expect(await db.cartLine.count({ where: { cart: { userId: buyer.id } } })).toBe(0);
    expect(await api.deps.inventory.getStock(p.sku)).toMatchObject({ onHand: 5, reserved: 2, available: 3 });

    // A later price change does not touch the placed order.
    await db.product.update({ where: { id: p.id }, data: { priceMinor: 9999 } });
    const again = await api.caller(buyer).checkout.place({ idempotencyKey: order.idempotencyKey, shippingAddress: address });
    expect(again.lines[0]!.unitPriceMinor).toBe(1250);
  });

  test("the same key retried 10 times makes one order", async () => {
    const { db } = api.deps;
    const buyer = await createUser(db);
    const p = await createStockedProduct(api.deps, seller.sellerId, 10);
    await fillCart(db, buyer.id, [{ productId: p.id, quantity: 1 }]);
    const key = randomUUID();
    const ids = new Set<string>();
    for (let i = 0; i < 10; i += 1) {
      ids.add((await api.caller(buyer).checkout.place({ idempotencyKey: key, shippingAddress: address })).id);
    }
    expect(ids.size).toBe(1);
    expect(await db.order.count({ where: { buyerId: buyer.id } })).toBe(1);
    expect(await db.payment.count({ where: { order: { buyerId: buyer.id } } })).toBe(1);
    expect(await api.deps.inventory.getStock(p.sku)).toMatchObject({ reserved: 1 });
  });

  test("a concurrent duplicate gets CONFLICT with a clear message, and still one order", async () => {
    const { db } = api.deps;
    const buyer = await createUser(db);
    const p = await createStockedProduct(api.deps, seller.sellerId, 10);
    await fillCart(db, buyer.id, [{ productId: p.id, quantity: 1 }]);
    const key = randomUUID();
    const results = await Promise.allSettled([
      api.caller(buyer).checkout.place({ idempotencyKey: key, shippingAddress: address }),
      api.caller(buyer).checkout.place({ idempotencyKey: key, shippingAddress: address }),
    ]);
    const rejected = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as TRPCError);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.code).toBe("CONFLICT");
    expect(rejected[0]!.message).toMatch(/already in progress/);
    expect(await db.order.count({ where: { buyerId: buyer.id } })).toBe(1);
    // Once the first finished, the same key returns its order.
    const after = await api.caller(buyer).checkout.place({ idempotencyKey: key, shippingAddress: address });
    expect(after.id).toBe((results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ id: string }>).value.id);
  });

  test("another replica placing the same key first: CONFLICT, and its order is the only one", async () => {
    const { db } = api.deps;
    const buyer = await createUser(db);
    const p = await createStockedProduct(api.deps, seller.sellerId, 10);
    await fillCart(db, buyer.id, [{ productId: p.id, quantity: 1 }]);
    const key = randomUUID();
    // The other replica's order lands between this one's lookup and its write (the unique index decides).
    const racing = new Proxy(db, {
      get: (target, prop) =>
        prop === "$queryRaw"
          ? async (...args: Parameters<typeof db.$queryRaw>) => {
              await db.order.create({
                data: { buyerId: buyer.id, idempotencyKey: key, currency: "EUR", subtotalMinor: 1000, totalMinor: 1000, shippingAddress: address },
                select: { id: true },
              });
              return target.$queryRaw(...args);
            }
          : Reflect.get(target, prop, target),
    });
    const caller = createCaller(createContextInner({ ...api.deps, db: racing }, buyer));
    await expect(caller.checkout.place({ idempotencyKey: key, shippingAddress: address })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/already in progress/),
    });
    expect(await db.order.count({ where: { buyerId: buyer.id } })).toBe(1);
    expect(await db.payment.count({ where: { order: { buyerId: buyer.id } } })).toBe(0);
    expect(await db.outboxEvent.count({ where: { type: "order.placed", payload: { path: ["buyerId"], equals: buyer.id } } })).toBe(0);
  });

  test("200 concurrent checkouts for a product with 20 units sell exactly 20", async () => {
    const { db } = api.deps;
    const p = await createStockedProduct(api.deps, seller.sellerId, 20);
    const buyers = await Promise.all(Array.from({ length: 200 }, () => createUser(db)));
    await Promise.all(buyers.map((b) => fillCart(db, b.id, [{ productId: p.id, quantity: 1 }])));
    const codes = await Promise.all(
      buyers.map((b) => codeOf(api.caller(b).checkout.place({ idempotencyKey: randomUUID(), shippingAddress: address }))),
    );
    expect(codes.filter((c) => c === "OK")).toHaveLength(20);
    expect(codes.filter((c) => c !== "OK").every((c) => c === "CONFLICT")).toBe(true);
    expect(await db.orderLine.aggregate({ where: { productId: p.id }, _sum: { quantity: true } })).toEqual({ _sum: { quantity: 20 } });
    expect(await db.order.count({ where: { lines: { some: { productId: p.id } } } })).toBe(20);
    expect(await api.deps.inventory.getStock(p.sku)).toMatchObject({ onHand: 20, reserved: 20, available: 0 });
  });

  test("insufficient stock is a CONFLICT naming the product", async () => {
    const { db } = api.deps;
    const buyer = await createUser(db);
    const p = await createStockedProduct(api.deps, seller.sellerId, 1, { title: "Rare Teapot" });
    await fillCart(db, buyer.id, [{ productId: p.id, quantity: 3 }]);
    await expect(api.caller(buyer).checkout.place({ idempotencyKey: randomUUID(), shippingAddress: address })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining('"Rare Teapot" (asked 3, 1 left)'),
    });
    expect(await db.order.count({ where: { buyerId: buyer.id } })).toBe(0);
  });

  test("empty carts, unavailable products and mixed currencies are refused with a reason", async () => {
    const { db } = api.deps;
    const buyer = await createUser(db);
    const place = () => api.caller(buyer).checkout.place({ idempotencyKey: randomUUID(), shippingAddress: address });
    await expect(place()).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/cart is empty/) });

    const eur = await createStockedProduct(api.deps, seller.sellerId, 5, { currency: "EUR" });
    const usd = await createStockedProduct(api.deps, seller.sellerId, 5, { currency: "USD" });
    await fillCart(db, buyer.id, [{ productId: eur.id, quantity: 1 }, { productId: usd.id, quantity: 1 }]);
    await expect(place()).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/mixes currencies \((EUR, USD|USD, EUR)\)/) });

    await db.cartLine.deleteMany({ where: { productId: usd.id } });
    await db.product.update({ where: { id: eur.id }, data: { status: "archived" } });
    await expect(place()).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("No longer sold") });
    expect(await db.order.count({ where: { buyerId: buyer.id } })).toBe(0);
  });

  test("the reservation expiry follows the reservationTtlMinutes setting", async () => {
    const { db } = api.deps;
    await db.setting.upsert({ where: { key: "reservationTtlMinutes" }, create: { key: "reservationTtlMinutes", value: 3 }, update: { value: 3 } });
    try {
      const buyer = await createUser(db);
      const p = await createStockedProduct(api.deps, seller.sellerId, 5);
      await fillCart(db, buyer.id, [{ productId: p.id, quantity: 1 }]);
      const before = inventoryClock.millis();
      const order = await api.caller(buyer).checkout.place({ idempotencyKey: randomUUID(), shippingAddress: address });
      const ttl = order.reservationExpiresAt!.getTime() - before;
      expect(ttl).toBeGreaterThan(2 * 60_000);
      expect(ttl).toBeLessThanOrEqual(3 * 60_000 + 5_000);
    } finally {
      await db.setting.delete({ where: { key: "reservationTtlMinutes" } });
    }
  });

  test("inventory down: a clear error and no order, payment or outbox row written", async () => {
    const { db } = api.deps;
    const logger = createLogger("test", "silent");
    const inventory = createInventoryClient({ baseUrl: "http://127.0.0.1:9", serviceToken: "x".repeat(16), logger, retry: { limit: 0 } });
    const deps = { ...api.deps, inventory, availability: createAvailabilityReader({ inventory, logger, ttlMs: 0 }) };
    const buyer = await createUser(db);
    const p = await createStockedProduct(api.deps, seller.sellerId, 5);
    await fillCart(db, buyer.id, [{ productId: p.id, quantity: 1 }]);
    const outboxBefore = await db.outboxEvent.count();
    const caller = createCaller(createContextInner(deps, buyer));
    await expect(caller.checkout.place({ idempotencyKey: randomUUID(), shippingAddress: address })).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: expect.stringContaining("inventory service is unavailable; no order was placed"),
    });
    expect(await db.order.count({ where: { buyerId: buyer.id } })).toBe(0);
    expect(await db.outboxEvent.count()).toBe(outboxBefore);
    expect(await db.cartLine.count({ where: { cart: { userId: buyer.id } } })).toBe(1);
  });

  test("a VND cart above 2,147,483,647 minor units checks out, and every stored amount is exact", async () => {
    const { db } = api.deps;
    const buyer = await createUser(db);
    // VND has no minor digits (Intl): 1,000,000,000 dong a unit, three units.
    const p = await createStockedProduct(api.deps, seller.sellerId, 5, { priceMinor: 1_000_000_000, currency: "VND", title: "Scooter" });
    const view = await api.caller(buyer).cart.add({ productId: p.id, quantity: 3 });
    expect(view).toMatchObject({ canCheckout: true, totals: [{ currency: "VND", subtotalMinor: 3_000_000_000 }] });
    const order = await api.caller(buyer).checkout.place({ idempotencyKey: randomUUID(), shippingAddress: address });
    expect(order).toMatchObject({ currency: "VND", subtotalMinor: 3_000_000_000, totalMinor: 3_000_000_000 });
    expect(order.lines).toEqual([expect.objectContaining({ unitPriceMinor: 1_000_000_000, quantity: 3, lineTotalMinor: 3_000_000_000 })]);
    expect(await db.payment.findFirstOrThrow({ where: { orderId: order.id }, select: { amountMinor: true } })).toEqual({ amountMinor: 3_000_000_000n });
    const event = await db.outboxEvent.findFirstOrThrow({ where: { aggregateId: order.id, type: "order.placed" }, select: { payload: true } });
    expect(event.payload).toMatchObject({ total: { amountMinor: 3_000_000_000, currency: "VND" }, lines: [{ unitPriceMinor: 1_000_000_000, quantity: 3 }] });
    expect(await api.caller(buyer).orders.get({ orderId: order.id })).toMatchObject({ subtotalMinor: 3_000_000_000, totalMinor: 3_000_000_000 });
  });

  test("the same key with a different cart or address is 422 naming idempotencyKey; nothing is placed or reserved", async () => {
    const { db } = api.deps;
    const buyer = await createUser(db);
    const first = await createStockedProduct(api.deps, seller.sellerId, 5);
    const second = await createStockedProduct(api.deps, seller.sellerId, 5);
    await fillCart(db, buyer.id, [{ productId: first.id, quantity: 1 }]);
    const key = randomUUID();
    const order = await api.caller(buyer).checkout.place({ idempotencyKey: key, shippingAddress: address });

    // The retry of that request (its cart is the one the order emptied) still gets the order.
    expect((await api.caller(buyer).checkout.place({ idempotencyKey: key, shippingAddress: address })).id).toBe(order.id);
    // The same key for another address: a different request.
    await expect(api.caller(buyer).checkout.place({ idempotencyKey: key, shippingAddress: { ...address, city: "Hamburg" } })).rejects.toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      message: expect.stringMatching(/^idempotencyKey: /),
    });
    // The same key for a new cart: refused, and the new cart is neither placed nor reserved.
    await fillCart(db, buyer.id, [{ productId: second.id, quantity: 2 }]);
    await expect(api.caller(buyer).checkout.place({ idempotencyKey: key, shippingAddress: address })).rejects.toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      message: expect.stringMatching(/^idempotencyKey: .*different/),
    });
    expect(await db.order.count({ where: { buyerId: buyer.id } })).toBe(1);
    expect(await db.cartLine.count({ where: { cart: { userId: buyer.id } } })).toBe(1);
    expect(await api.deps.inventory.getStock(second.sku)).toMatchObject({ reserved: 0, available: 5 });
    // Cart contents as the first order had them (the buyer put the same back): the same request.
    await db.cartLine.deleteMany({ where: { cart: { userId: buyer.id } } });
    await fillCart(db, buyer.id, [{ productId: first.id, quantity: 1 }]);
    expect((await api.caller(buyer).checkout.place({ idempotencyKey: key, shippingAddress: address })).id).toBe(order.id);
    // A new key places the new cart.
    const next = await api.caller(buyer).checkout.place({ idempotencyKey: randomUUID(), shippingAddress: address });
    expect(next.id).not.toBe(order.id);
  });

  test("a cart above the order limit is refused before anything is reserved, as the cart page says", async () => {
    const { db } = api.deps;
    const buyer = await createUser(db);
    // 11 lines of 9,999,999,999.00 EUR come to 109,999,999,989.00 EUR: above 99,999,999,999.99 EUR.
    const products = await Promise.all(Array.from({ length: 11 }, () => createStockedProduct(api.deps, seller.sellerId, 200, { priceMinor: 9_999_999_999 })));
    await fillCart(db, buyer.id, products.map((p) => ({ productId: p.id, quantity: 100 })));
    const view = await api.caller(buyer).cart.view();
    expect(view.canCheckout).toBe(false);
    expect(view.blockers).toEqual([expect.stringContaining("at most 99,999,999,999.99 EUR")]);
    await expect(api.caller(buyer).checkout.place({ idempotencyKey: randomUUID(), shippingAddress: address })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: view.blockers[0],
    });
    expect(await db.order.count({ where: { buyerId: buyer.id } })).toBe(0);
    expect(await api.deps.inventory.getStock(products[0]!.sku)).toMatchObject({ reserved: 0 });
  });

  test("a failing order transaction releases the reservation", async () => {
    const { db } = api.deps;
    const buyer = await createUser(db);
    const p = await createStockedProduct(api.deps, seller.sellerId, 5);
    await fillCart(db, buyer.id, [{ productId: p.id, quantity: 2 }]);
    // The database fails the order write after the stock was reserved (the write is one raw
    // statement; an interactive transaction before that: both fail here).
    const db2 = new Proxy(db, {
      get: (target, key) =>
        key === "$transaction" || key === "$queryRaw" ? () => Promise.reject(new Error("connection lost")) : Reflect.get(target, key, target),
    });
    const caller = createCaller(createContextInner({ ...api.deps, db: db2 }, buyer));
    await expect(caller.checkout.place({ idempotencyKey: randomUUID(), shippingAddress: address })).rejects.toThrow(/connection lost/);
    expect(await db.order.count({ where: { buyerId: buyer.id } })).toBe(0);
    expect(await api.deps.inventory.getStock(p.sku)).toMatchObject({ reserved: 0, available: 5 });
  });
});
