import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { createProduct, createSellerUser, createStockedProduct, createUser, fillCart, registerAccount, type TestSeller } from "../../../../tests/helpers/fixtures.ts";

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

  test("a cart holds at most 100 different products; lines already in it still grow", async () => {
    const buyer = await createUser(api.deps.db);
    const products = await Promise.all(Array.from({ length: 101 }, () => createProduct(api.deps.db, seller.sellerId)));
    await fillCart(api.deps.db, buyer.id, products.slice(0, 100).map((p) => ({ productId: p.id, quantity: 1 })));
    await expect(api.caller(buyer).cart.add({ productId: products[100]!.id })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "productId: a cart holds at most 100 different products.",
    });
    const view = await api.caller(buyer).cart.add({ productId: products[0]!.id, quantity: 2 });
    expect(view.lines.find((l) => l.productId === products[0]!.id)?.quantity).toBe(3);
    expect(view.lines).toHaveLength(100);
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

describe("money limits (src/core/money.ts)", () => {
  test("add and setQuantity refuse a line above 9,999,999,999.99 EUR, naming quantity and the limit", async () => {
    const buyer = await createUser(api.deps.db);
    const cart = api.caller(buyer).cart;
    const p = await createStockedProduct(api.deps, seller.sellerId, 500, { priceMinor: 9_999_999_999, title: "Yacht" });
    expect((await cart.add({ productId: p.id, quantity: 100 })).lines[0]).toMatchObject({ quantity: 100, lineTotalMinor: 999_999_999_900 });
    const refusal = { code: "BAD_REQUEST", message: expect.stringMatching(/^quantity: .*"Yacht".*at most 9,999,999,999\.99 EUR/) };
    await expect(cart.add({ productId: p.id, quantity: 1 })).rejects.toMatchObject(refusal);
    await expect(cart.setQuantity({ productId: p.id, quantity: 101 })).rejects.toMatchObject(refusal);
    expect(await cart.view()).toMatchObject({ lines: [{ quantity: 100 }], canCheckout: true });
  });

  test("add refuses what would take one currency's total above 99,999,999,999.99 EUR", async () => {
    const buyer = await createUser(api.deps.db);
    const cart = api.caller(buyer).cart;
    const products = await Promise.all(Array.from({ length: 11 }, () => createStockedProduct(api.deps, seller.sellerId, 500, { priceMinor: 9_999_999_999 })));
    for (const p of products.slice(0, 10)) await cart.add({ productId: p.id, quantity: 100 });
    expect((await cart.view()).totals).toEqual([{ currency: "EUR", subtotalMinor: 9_999_999_999_000 }]);
    await expect(cart.add({ productId: products[10]!.id, quantity: 1 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^quantity: .*EUR total.*at most 99,999,999,999\.99 EUR/),
    });
    // 999 minor units of room are left: one unit at 5.00 EUR fits, two do not.
    const small = await createStockedProduct(api.deps, seller.sellerId, 5, { priceMinor: 500 });
    await cart.add({ productId: small.id, quantity: 1 });
    await expect(cart.setQuantity({ productId: small.id, quantity: 2 })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^quantity: .*at most 99,999,999,999\.99 EUR/) });
    expect((await cart.view()).totals).toEqual([{ currency: "EUR", subtotalMinor: 9_999_999_999_500 }]);
    // Another currency is another order: its own total.
    const vnd = await createStockedProduct(api.deps, seller.sellerId, 5, { priceMinor: 9_999_999_999, currency: "VND" });
    expect((await cart.add({ productId: vnd.id, quantity: 1 })).lines).toHaveLength(12);
  });

  test("a product priced 0 before free products were refused cannot be checked out", async () => {
    const buyer = await createUser(api.deps.db);
    const free = await createStockedProduct(api.deps, seller.sellerId, 5, { priceMinor: 0, title: "Freebie" });
    const view = await api.caller(buyer).cart.add({ productId: free.id });
    expect(view.canCheckout).toBe(false);
    expect(view.blockers).toEqual([expect.stringContaining('"Freebie"')]);
  });
});

describe("cart under concurrency", () => {
  test("20 concurrent adds of one unit of the same product make a line of 20", async () => {
    const buyer = await createUser(api.deps.db);
    const p = await createStockedProduct(api.deps, seller.sellerId, 50);
    await Promise.all(Array.from({ length: 20 }, () => api.caller(buyer).cart.add({ productId: p.id, quantity: 1 })));
    expect((await api.caller(buyer).cart.view()).lines.map((l) => [l.productId, l.quantity])).toEqual([[p.id, 20]]);
    expect(await api.deps.db.cart.count({ where: { userId: buyer.id } })).toBe(1);
  });

  test("20 concurrent adds over real HTTP make a line of 20", async () => {
    const base = await api.listen();
    const { session, user } = await registerAccount(api.deps);
    const p = await createStockedProduct(api.deps, seller.sellerId, 50);
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await fetch(`${base}/trpc/cart.add`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${session.accessToken}` },
          body: JSON.stringify({ json: { productId: p.id, quantity: 1 } }),
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
    expect((await api.caller(user).cart.view()).lines.map((l) => l.quantity)).toEqual([20]);
  });

  test("concurrent adds never pass the per-line maximum; the ones that would are refused clearly", async () => {
    const buyer = await createUser(api.deps.db);
    const p = await createStockedProduct(api.deps, seller.sellerId, 5);
    await api.caller(buyer).cart.add({ productId: p.id, quantity: 990 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => api.caller(buyer).cart.add({ productId: p.id, quantity: 1 })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(9);
    for (const r of results) {
      if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^quantity: at most 999 .*cart has 99\d/) });
    }
    expect((await api.caller(buyer).cart.view()).lines.map((l) => l.quantity)).toEqual([999]);
  });

  test("concurrent adds, quantity changes and removals leave a consistent cart", async () => {
    const buyer = await createUser(api.deps.db);
    const cart = api.caller(buyer).cart;
    const a = await createStockedProduct(api.deps, seller.sellerId, 50);
    const b = await createStockedProduct(api.deps, seller.sellerId, 50);
    await cart.add({ productId: b.id, quantity: 3 });
    await Promise.all([
      ...Array.from({ length: 10 }, () => cart.add({ productId: a.id, quantity: 1 })),
      ...Array.from({ length: 5 }, () => cart.setQuantity({ productId: b.id, quantity: 7 })),
    ]);
    expect((await cart.view()).lines.map((l) => [l.productId, l.quantity])).toEqual([
      [b.id, 7],
      [a.id, 10],
    ]);
    await Promise.all([...Array.from({ length: 5 }, () => cart.remove({ productId: a.id })), cart.setQuantity({ productId: b.id, quantity: 0 })]);
    expect((await cart.view()).lines).toEqual([]);
    // Once removed, a quantity change says the line is not there rather than bringing it back.
    await expect(cart.setQuantity({ productId: a.id, quantity: 2 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
