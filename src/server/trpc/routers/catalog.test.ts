import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createLogger } from "~/lib/logger";
import { createInventoryClient } from "~/core/integrations/inventory";
import { createAvailabilityReader } from "~/core/domain/catalog/availability";
import { countProducts, PUBLIC_SCOPE } from "~/core/domain/catalog/products";
import { createContextInner } from "~/server/trpc/context";
import { createCaller } from "~/server/trpc/root";
import { startTestApi, type Caller, type TestApi } from "../../../../tests/helpers/api.ts";
import { createCategory, createProduct, createSellerUser, stockProduct, type TestSeller } from "../../../../tests/helpers/fixtures.ts";

let api: TestApi;
let anon: Caller;
let shopA: TestSeller;
let shopB: TestSeller;
let cat: { slug: string; id: string };
let sub: { slug: string; id: string };
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi();
  anon = api.caller(null);
  const { db } = api.deps;
  shopA = await createSellerUser(db);
  shopB = await createSellerUser(db);
  cat = await createCategory(db, { slug: "teaware" });
  sub = await createCategory(db, { slug: "teapots", parentId: cat.id });
  const t0 = Date.UTC(2026, 0, 1);
  const rows = [
    { key: "kettle", title: "Copper kettle", description: "A kettle for tea", priceMinor: 4500, seller: shopA, categoryId: cat.id, stock: 3 },
    { key: "teapot", title: "Clay teapot", description: "Yixing clay teapot for green tea", priceMinor: 2500, seller: shopA, categoryId: sub.id, stock: 0 },
    { key: "cup", title: "Tea cup", description: "Porcelain cup", priceMinor: 800, seller: shopB, categoryId: cat.id, stock: 10 },
    { key: "mug", title: "Coffee mug", description: "Stoneware mug", priceMinor: 1200, seller: shopB, categoryId: null, stock: 5 },
    { key: "tea", title: "Tea tea tea sampler", description: "tea", priceMinor: 1500, seller: shopB, categoryId: cat.id, stock: 2 },
  ];
  for (const [i, r] of rows.entries()) {
    const p = await createProduct(db, r.seller.sellerId, { title: r.title, description: r.description, priceMinor: r.priceMinor, categoryId: r.categoryId, createdAt: new Date(t0 + i * 60_000) });
    await stockProduct(api.deps, p.sku, r.stock);
    ids[r.key] = p.id;
  }
  await createProduct(db, shopA.sellerId, { title: "Draft tea thing", status: "draft" });
  await createProduct(db, shopA.sellerId, { title: "Archived tea thing", status: "archived" });
  await createProduct(db, shopA.sellerId, { title: "Yen tea", currency: "JPY", priceMinor: 300, createdAt: new Date(t0 - 60_000) });
});
afterAll(() => api?.close());

const titles = (page: { items: { title: string }[] }) => page.items.map((p) => p.title);

/** Follows cursors to the end, `limit` at a time. */
async function all(input: Parameters<Caller["catalog"]["list"]>[0]) {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i += 1) {
    const page = await anon.catalog.list({ ...input, cursor });
    out.push(...titles(page));
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error("cursor loop");
}

describe("catalog.list", () => {
  test("newest first, only active products, paginated without gaps or repeats", async () => {
    const expected = ["Tea tea tea sampler", "Coffee mug", "Tea cup", "Clay teapot", "Copper kettle", "Yen tea"];
    expect(titles(await anon.catalog.list({}))).toEqual(expected);
    expect(await all({ limit: 2 })).toEqual(expected);
  });

  test("price sorts, both directions, paginated", async () => {
    expect(await all({ limit: 2, sort: "price_asc", currency: "EUR" })).toEqual(["Tea cup", "Coffee mug", "Tea tea tea sampler", "Clay teapot", "Copper kettle"]);
    expect(await all({ limit: 3, sort: "price_desc", currency: "EUR" })).toEqual(["Copper kettle", "Clay teapot", "Tea tea tea sampler", "Coffee mug", "Tea cup"]);
  });

  test("filters: category (with subcategories), seller, price range, currency", async () => {
    expect(await all({ categorySlug: "teapots" })).toEqual(["Clay teapot"]);
    expect(await all({ categorySlug: "teaware" })).toEqual(["Tea tea tea sampler", "Tea cup", "Clay teapot", "Copper kettle"]);
    expect(await all({ sellerId: shopA.sellerId })).toEqual(["Clay teapot", "Copper kettle", "Yen tea"]);
    expect(await all({ minPriceMinor: 1000, maxPriceMinor: 2500, currency: "EUR" })).toEqual(["Tea tea tea sampler", "Coffee mug", "Clay teapot"]);
    expect(await all({ categorySlug: "no-such-category" })).toEqual([]);
  });

  test("full-text search ranks by relevance and paginates in rank order", async () => {
    const ranked = await all({ q: "tea" });
    expect(ranked[0]).toBe("Tea tea tea sampler");
    expect(new Set(ranked)).toEqual(new Set(["Tea tea tea sampler", "Tea cup", "Clay teapot", "Copper kettle", "Yen tea"]));
    expect(await all({ q: "tea", limit: 1 })).toEqual(ranked);
    expect(await all({ q: "clay OR stoneware", sort: "price_asc" })).toEqual(["Coffee mug", "Clay teapot"]);
    expect(await all({ q: '"green tea" -coffee' })).toEqual(["Clay teapot"]);
    expect(await all({ q: "nothing-matches-this" })).toEqual([]);
  });

  test("count: how many products match the filters, the same on every page; only when asked", async () => {
    expect((await anon.catalog.list({})).total).toBeNull();
    expect((await anon.catalog.list({ count: true, limit: 2 })).total).toEqual({ count: 6, capped: false });
    const second = await anon.catalog.list({ count: true, limit: 2, cursor: (await anon.catalog.list({ limit: 2 })).nextCursor });
    expect(second.total).toEqual({ count: 6, capped: false });
    expect((await anon.catalog.list({ count: true, q: "tea", categorySlug: "teaware" })).total).toEqual({ count: 4, capped: false });
    expect((await anon.catalog.list({ count: true, minPriceMinor: 1000, maxPriceMinor: 2500, currency: "EUR" })).total).toEqual({ count: 3, capped: false });
    // Stock lives in the inventory service: the count is of matches, sold-out ones included.
    expect((await anon.catalog.list({ count: true, inStock: true })).total).toEqual({ count: 6, capped: false });
    // Past the limit the count stops: "more than N".
    expect(await countProducts(api.deps.db, { limit: 24 }, PUBLIC_SCOPE, 4)).toEqual({ count: 4, capped: true });
    expect(await countProducts(api.deps.db, { limit: 24 }, PUBLIC_SCOPE, 6)).toEqual({ count: 6, capped: false });
  });

  test("in stock: only products with units available, across pages", async () => {
    expect(await all({ inStock: true, limit: 2 })).toEqual(["Tea tea tea sampler", "Coffee mug", "Tea cup", "Copper kettle"]);
  });

  test("bad cursors and impossible sorts are BAD_REQUEST with the field named", async () => {
    await expect(anon.catalog.list({ cursor: "garbage" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("cursor") });
    const page = await anon.catalog.list({ limit: 1 });
    await expect(anon.catalog.list({ limit: 1, sort: "price_asc", cursor: page.nextCursor })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(anon.catalog.list({ sort: "relevance" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("sort") });
    await expect(anon.catalog.list({ minPriceMinor: 10, maxPriceMinor: 5 })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("maxPriceMinor") });
  });
});

describe("catalog.get and categories", () => {
  test("detail with availability; drafts are NOT_FOUND", async () => {
    const kettle = await anon.catalog.get({ id: ids.kettle! });
    expect(kettle).toMatchObject({ title: "Copper kettle", availability: { status: "known", available: 3 }, category: { slug: "teaware" } });
    expect((await anon.catalog.get({ id: ids.teapot! })).availability).toEqual({ status: "known", available: 0 });
    const draft = await api.deps.db.product.findFirstOrThrow({ where: { status: "draft" }, select: { id: true } });
    await expect(anon.catalog.get({ id: draft.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("inventory down: the product still shows, availability unknown; the in-stock filter says why it cannot work", async () => {
    const logger = createLogger("test", "silent");
    const inventory = createInventoryClient({ baseUrl: "http://127.0.0.1:9", serviceToken: "x".repeat(16), logger, retry: { limit: 0 } });
    const caller = createCaller(createContextInner({ ...api.deps, inventory, availability: createAvailabilityReader({ inventory, logger, ttlMs: 5_000 }) }, null));
    expect(await caller.catalog.get({ id: ids.cup! })).toMatchObject({ title: "Tea cup", availability: { status: "unknown" } });
    expect((await caller.catalog.list({})).items).toHaveLength(6);
    await expect(caller.catalog.list({ inStock: true })).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", message: expect.stringContaining("inStock") });
  });

  test("availability is cached briefly", async () => {
    const logger = createLogger("test", "silent");
    let calls = 0;
    const reader = createAvailabilityReader({
      inventory: { getStockMany: (skus) => ((calls += 1), api.deps.inventory.getStockMany(skus)) },
      logger,
      ttlMs: 60_000,
    });
    const caller = createCaller(createContextInner({ ...api.deps, availability: reader }, null));
    await caller.catalog.get({ id: ids.cup! });
    await caller.catalog.get({ id: ids.cup! });
    expect(calls).toBe(1);
  });

  test("categories with their active product counts", async () => {
    const cats = await anon.catalog.categories();
    expect(cats).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ slug: "teaware", parentId: null, activeProducts: 3 }),
        expect.objectContaining({ slug: "teapots", parentId: cat.id, activeProducts: 1 }),
      ]),
    );
  });
});
