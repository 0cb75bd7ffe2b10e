import { afterAll, beforeAll } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { createAuthzWorld, describeAuthzMatrix, row, type AuthzWorld, type Expectation } from "../../../../tests/helpers/authz.ts";
import { createProduct } from "../../../../tests/helpers/fixtures.ts";
import { createOrder } from "../../../../tests/helpers/orders-fixtures.ts";

let api: TestApi;
let world: AuthzWorld;
beforeAll(async () => {
  api = await startTestApi();
  world = await createAuthzWorld(api);
});
afterAll(() => api?.close());

// The order's buyer, the shipping seller and admins; anyone else is told it does not exist.
const SHIPMENT_PARTIES: Expectation = {
  anonymous: "UNAUTHORIZED",
  buyer: "allowed",
  otherBuyer: "NOT_FOUND",
  seller: "allowed",
  otherSeller: "NOT_FOUND",
  admin: "allowed",
};

describeAuthzMatrix("delivery", () => world, [
  row("delivery.shipment", SHIPMENT_PARTIES, async (c, w) => {
    const product = await createProduct(w.db, w.users.seller.sellerId);
    const order = await createOrder(w.db, w.users.buyer.id, [{ product, quantity: 1 }], { status: "paid" });
    const shipment = await w.db.shipment.create({ data: { orderId: order.id, sellerId: w.users.seller.sellerId, carrier: "dhl" }, select: { id: true } });
    return c.delivery.shipment({ shipmentId: shipment.id });
  }),
]);
