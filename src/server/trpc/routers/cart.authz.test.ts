import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { AUTHED, createAuthzWorld, describeAuthzMatrix, row, type Actor, type AuthzWorld } from "../../../../tests/helpers/authz.ts";
import { createStockedProduct, fillCart } from "../../../../tests/helpers/fixtures.ts";

let api: TestApi;
let world: AuthzWorld;
beforeAll(async () => {
  api = await startTestApi();
  world = await createAuthzWorld(api);
});
afterAll(() => api?.close());

/** A stocked product (of `seller`) already in the actor's cart; anonymous has no cart to fill. */
async function inCart(w: AuthzWorld, actor: Actor) {
  const p = await createStockedProduct(w.api.deps, w.users.seller.sellerId, 5);
  if (actor !== "anonymous") await fillCart(w.db, w.users[actor].id, [{ productId: p.id, quantity: 1 }]);
  return p;
}

const address = { name: "M", line1: "1 Road", city: "Town", postalCode: "1000", country: "NL" };

// Carts and checkout belong to whoever is signed in: every role may buy (sellers and admins too),
// and a caller can only ever reach their own cart, so there is no cross-user cell to refuse.
describeAuthzMatrix("cart", () => world, [
  row("cart.view", AUTHED, (c) => c.cart.view()),
  row("cart.add", AUTHED, async (c, w) => c.cart.add({ productId: (await createStockedProduct(w.api.deps, w.users.seller.sellerId, 5)).id })),
  row("cart.setQuantity", AUTHED, async (c, w, actor) => c.cart.setQuantity({ productId: (await inCart(w, actor)).id, quantity: 2 })),
  row("cart.remove", AUTHED, async (c, w, actor) => c.cart.remove({ productId: (await inCart(w, actor)).id })),
  row("cart.clear", AUTHED, (c) => c.cart.clear()),
]);

describeAuthzMatrix("checkout", () => world, [
  row("checkout.place", AUTHED, async (c, w, actor) => {
    await w.db.cartLine.deleteMany({});
    await inCart(w, actor);
    return c.checkout.place({ idempotencyKey: randomUUID(), shippingAddress: address });
  }),
]);
