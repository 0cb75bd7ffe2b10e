import { afterAll, beforeAll } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { createAuthzWorld, describeAuthzMatrix, httpOutcome, OWNER_SELLER, row, SELLER_ONLY, tokenOf, type AuthzWorld } from "../../../../tests/helpers/authz.ts";
import { createPhotoRow, createProduct } from "../../../../tests/helpers/fixtures.ts";
import { postPhoto, testImage } from "../../../../tests/helpers/images.ts";

let api: TestApi;
let world: AuthzWorld;
let base: string;
let png: Buffer;
beforeAll(async () => {
  api = await startTestApi();
  world = await createAuthzWorld(api);
  base = await api.listen();
  png = await testImage({ format: "png" });
});
afterAll(() => api?.close());

/** A photo `seller` uploaded and has not saved with a product yet. */
const sellersUpload = (w: AuthzWorld) => createPhotoRow(w.db, w.users.seller.sellerId);

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
  // Photos: any shop may upload; only the shop that uploaded a photo may put it on a product, and
  // only the product's shop may add or remove its photos (update replaces the list).
  row("POST /photos (upload)", SELLER_ONLY, async (_c, w, actor) => httpOutcome(await postPhoto(base, tokenOf(w, actor), png))),
  row("seller.products.create (photos: the shop's own upload)", OWNER_SELLER, async (c, w) =>
    c.seller.products.create({ title: "Matrix photo product", priceMinor: 100, photos: [{ id: (await sellersUpload(w)).id, alt: "" }] }),
  ),
  row("seller.products.update (photos: add an upload)", OWNER_SELLER, async (c, w) =>
    c.seller.products.update({ id: (await sellersProduct(w)).id, photos: [{ id: (await sellersUpload(w)).id, alt: "Front" }] }),
  ),
  row("seller.products.update (photos: remove)", OWNER_SELLER, async (c, w) => {
    const product = await sellersProduct(w);
    await createPhotoRow(w.db, w.users.seller.sellerId, product.id);
    return c.seller.products.update({ id: product.id, photos: [] });
  }),
  row("seller.products.setStock", OWNER_SELLER, async (c, w) => c.seller.products.setStock({ id: (await sellersProduct(w)).id, onHand: 3 })),
]);
