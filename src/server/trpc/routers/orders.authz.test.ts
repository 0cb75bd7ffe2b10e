import { afterAll, beforeAll } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { ADMIN_ONLY, AUTHED, createAuthzWorld, describeAuthzMatrix, OWNER_BUYER, OWNER_SELLER, row, SELLER_ONLY, type AuthzWorld } from "../../../../tests/helpers/authz.ts";
import { createProduct, unique } from "../../../../tests/helpers/fixtures.ts";
import { createOrder } from "../../../../tests/helpers/orders-fixtures.ts";

let api: TestApi;
let world: AuthzWorld;
beforeAll(async () => {
  api = await startTestApi();
  world = await createAuthzWorld(api);
});
afterAll(() => api?.close());

/** A fresh order of `buyer` for one of `seller`'s products. */
async function buyersOrder(w: AuthzWorld, status: "pending_payment" | "paid") {
  const product = await createProduct(w.db, w.users.seller.sellerId);
  return createOrder(w.db, w.users.buyer.id, [{ product, quantity: 1 }], { status });
}

// The buyer's own order; admins may read and cancel any order for support.
const BUYER_OR_ADMIN = { ...OWNER_BUYER, admin: "allowed" } as const;

describeAuthzMatrix("orders", () => world, [
  row("orders.list", AUTHED, (c) => c.orders.list({})),
  row("orders.get", BUYER_OR_ADMIN, async (c, w) => c.orders.get({ orderId: (await buyersOrder(w, "paid")).id })),
  row("orders.cancel", BUYER_OR_ADMIN, async (c, w) => c.orders.cancel({ orderId: (await buyersOrder(w, "pending_payment")).id })),
  row("orders.sellerLines", SELLER_ONLY, (c) => c.orders.sellerLines({})),
  row("orders.markShipped", OWNER_SELLER, async (c, w) =>
    c.orders.markShipped({ orderId: (await buyersOrder(w, "paid")).id, carrier: "dhl", trackingNumber: unique("T") }),
  ),
  row("orders.adminList", ADMIN_ONLY, (c) => c.orders.adminList({})),
]);
