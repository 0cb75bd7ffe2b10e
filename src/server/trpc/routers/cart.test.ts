import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { createProduct, createSellerUser, createStockedProduct, createUser, type TestSeller } from "../../../../tests/helpers/fixtures.ts";

let api: TestApi;
let seller: TestSeller;
beforeAll(async () => {
  api = await startTestApi();
  seller = await createSellerUser(api.deps.db);
});
afterAll(() => api?.close());

describe("cart", () => {
  test("add, add again, set quantity, remove, clear; kept in the database", async () => {
    const buyer = await createUser(api.deps.db);
    const cart = api.caller(buyer).cart;
    const a = await createStockedProduct(api.deps, seller.sellerId, 10, { priceMinor: 500, title: "Apple" });
    const b = await createStockedProduct(api.deps, seller.sellerId, 10, { priceMinor: 250, title: "Banana" });
    expect(await cart.view()).toMatchObject({ lines: [], itemCount: 0, canCheckout: false, blockers: ["The cart is empty."] });
    await cart.add({ productId: a.id, quantity: 2 });
    await cart.add({ productId: a.id, quantity: 1 });
    const view = await cart.add({ productId: b.id });
    expect(view.lines.map((l) => [l.title, l.quantity, l.lineTotalMinor, l.problem])).toEqual([
      ["Apple", 3, 1500, null],
      ["Banana", 1, 250, null],
    ]);
    expect(view).toMatchObject({ itemCount: 4, totals: [{ currency: "EUR", subtotalMinor: 1750 }], canCheckout: true, blockers: [] });
    expect((await cart.setQuantity({ productId: a.id, quantity: 5 })).lines[0]!.quantity).toBe(5);
    expect((await cart.setQuantity({ productId: a.id, quantity: 0 })).lines.map((l) => l.title)).toEqual(["Banana"]);
    expect((await cart.remove({ productId: b.id })).lines).toEqual([]);
    await cart.add({ productId: a.id, quantity: 1 });
    expect(await api.deps.db.cartLine.count({ where: { cart: { userId: buyer.id } } })).toBe(1);
    expect((await cart.clear()).lines).toEqual([]);
  });

  test("prices are recomputed from the catalog; unavailable and short lines are flagged", async () => {
    const buyer = await createUser(api.deps.db);
    const cart = api.caller(buyer).cart;
    const p = await createStockedProduct(api.deps, seller.sellerId, 2, { priceMinor: 1000, title: "Pear" });
    const gone = await createStockedProduct(api.deps, seller.sellerId, 5, { title: "Plum" });
    const none = await createStockedProduct(api.deps, seller.sellerId, 0, { title: "Quince" });
    await cart.add({ productId: p.id, quantity: 3 });
    await cart.add({ productId: gone.id, quantity: 1 });
    await cart.add({ productId: none.id, quantity: 1 });
    await api.deps.db.product.update({ where: { id: p.id }, data: { priceMinor: 1100 } });
    await api.deps.db.product.update({ where: { id: gone.id }, data: { status: "archived" } });
    const view = await cart.view();
    expect(view.lines.map((l) => [l.title, l.unitPriceMinor, l.problem])).toEqual([
      ["Pear", 1100, "insufficient_stock"],
      ["Plum", expect.any(Number), "unavailable"],
      ["Quince", expect.any(Number), "out_of_stock"],
    ]);
    expect(view.canCheckout).toBe(false);
    expect(view.blockers).toEqual(['Only 2 of "Pear" left; lower the quantity.', '"Plum" is no longer sold; remove it.', '"Quince" is out of stock.']);
  });

  test("mixed currencies are flagged; drafts cannot be added; quantities are capped", async () => {
    const buyer = await createUser(api.deps.db);
    const cart = api.caller(buyer).cart;
    const eur = await createStockedProduct(api.deps, seller.sellerId, 5, { currency: "EUR" });
    const usd = await createStockedProduct(api.deps, seller.sellerId, 5, { currency: "USD" });
    await cart.add({ productId: eur.id });
    const view = await cart.add({ productId: usd.id });
    expect(view.totals).toHaveLength(2);
    expect(view.blockers.join(" ")).toMatch(/mixes currencies/);
    const draft = await createProduct(api.deps.db, seller.sellerId, { status: "draft" });
    await expect(cart.add({ productId: draft.id })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("productId") });
    await cart.add({ productId: eur.id, quantity: 998 });
    await expect(cart.add({ productId: eur.id, quantity: 1 })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("at most 999") });
    await expect(cart.setQuantity({ productId: draft.id, quantity: 2 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("each user sees only their own cart", async () => {
    const one = await createUser(api.deps.db);
    const two = await createUser(api.deps.db);
    const p = await createStockedProduct(api.deps, seller.sellerId, 5);
    await api.caller(one).cart.add({ productId: p.id });
    expect((await api.caller(two).cart.view()).lines).toEqual([]);
    await api.caller(two).cart.remove({ productId: p.id });
    expect((await api.caller(one).cart.view()).lines).toHaveLength(1);
  });
});
