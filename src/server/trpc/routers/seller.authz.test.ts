import { afterAll, beforeAll } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { createAuthzWorld, describeAuthzMatrix, OWNER_SELLER, row, SELLER_ONLY, type AuthzWorld } from "../../../../tests/helpers/authz.ts";
import { createProduct } from "../../../../tests/helpers/fixtures.ts";

let api: TestApi;
let world: AuthzWorld;
beforeAll(async () => {
  api = await startTestApi();
  world = await createAuthzWorld(api);
});
afterAll(() => api?.close());

/** A fresh product of `seller` (the owner in OWNER_SELLER), so every cell acts on its own row. */
const sellersProduct = (w: AuthzWorld) => createProduct(w.db, w.users.seller.sellerId, { status: "draft" });

describeAuthzMatrix("seller.products", () => world, [
  row("seller.products.create", SELLER_ONLY, (c) => c.seller.products.create({ title: "Matrix product", priceMinor: 100, initialStock: 1 })),
  row("seller.products.listOwn", SELLER_ONLY, (c) => c.seller.products.listOwn({})),
  row("seller.products.get", OWNER_SELLER, async (c, w) => c.seller.products.get({ id: (await sellersProduct(w)).id })),
  row("seller.products.update", OWNER_SELLER, async (c, w) => c.seller.products.update({ id: (await sellersProduct(w)).id, title: "Renamed" })),
  row("seller.products.publish", OWNER_SELLER, async (c, w) => c.seller.products.publish({ id: (await sellersProduct(w)).id })),
  row("seller.products.unpublish", OWNER_SELLER, async (c, w) => c.seller.products.unpublish({ id: (await sellersProduct(w)).id })),
  row("seller.products.archive", OWNER_SELLER, async (c, w) => c.seller.products.archive({ id: (await sellersProduct(w)).id })),
  row("seller.products.setStock", OWNER_SELLER, async (c, w) => c.seller.products.setStock({ id: (await sellersProduct(w)).id, onHand: 3 })),
]);
