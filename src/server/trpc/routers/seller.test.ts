import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApi, type Caller, type TestApi } from "../../../../tests/helpers/api.ts";
import { createCategory, createProduct, createSellerUser, type TestSeller } from "../../../../tests/helpers/fixtures.ts";

let api: TestApi;
let seller: TestSeller;
let other: TestSeller;
let me: Caller;

beforeAll(async () => {
  api = await startTestApi();
  seller = await createSellerUser(api.deps.db);
  other = await createSellerUser(api.deps.db);
  me = api.caller(seller);
  await createCategory(api.deps.db, { slug: "lamps" });
});
afterAll(() => api?.close());

describe("seller.products", () => {
  test("create: draft with generated SKU and a stock record; publish puts it in the catalog", async () => {
    const p = await me.seller.products.create({ title: "Desk lamp", priceMinor: 3900, currency: "EUR", categorySlug: "lamps", initialStock: 7 });
    expect(p).toMatchObject({ status: "draft", sku: expect.stringMatching(/^LV-[0-9A-F]{10}$/), category: { slug: "lamps" }, publishedAt: null });
    expect(await api.deps.inventory.getStock(p.sku)).toMatchObject({ onHand: 7 });
    await expect(api.caller(null).catalog.get({ id: p.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const published = await me.seller.products.publish({ id: p.id });
    expect(published.status).toBe("active");
    expect(await api.caller(null).catalog.get({ id: p.id })).toMatchObject({ title: "Desk lamp", availability: { status: "known", available: 7 } });
  });

  test("create with a supplied SKU; a taken SKU is CONFLICT; currency defaults from settings", async () => {
    const p = await me.seller.products.create({ title: "Floor lamp", priceMinor: 9900, sku: "FLOOR-1", publish: true });
    expect(p).toMatchObject({ sku: "FLOOR-1", currency: "EUR", status: "active" });
    await expect(me.seller.products.create({ title: "Copy", priceMinor: 1, sku: "FLOOR-1" })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("sku") });
    await expect(me.seller.products.create({ title: "Nowhere", priceMinor: 1, categorySlug: "nope" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("categorySlug") });
  });

  test("update, unpublish, archive; archived cannot be edited until published again", async () => {
    const p = await me.seller.products.create({ title: "Lamp shade", priceMinor: 1500, publish: true });
    expect(await me.seller.products.update({ id: p.id, title: "Linen lamp shade", priceMinor: 1700 })).toMatchObject({ title: "Linen lamp shade", priceMinor: 1700 });
    expect((await me.seller.products.unpublish({ id: p.id })).status).toBe("draft");
    expect((await me.seller.products.archive({ id: p.id })).status).toBe("archived");
    await expect(me.seller.products.update({ id: p.id, title: "x" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await me.seller.products.publish({ id: p.id })).status).toBe("active");
    await expect(me.seller.products.update({ id: p.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  test("prices: at least one minor unit (no free products), at most 99,999,999.99 EUR; large VND prices are fine", async () => {
    const free = me.seller.products.create({ title: "Freebie", priceMinor: 0, currency: "EUR", publish: true });
    await expect(free).rejects.toMatchObject({ code: "BAD_REQUEST", message: "priceMinor: must be at least 0.01 EUR; Lavka does not sell free products" });
    await expect(me.seller.products.create({ title: "Villa", priceMinor: 10_000_000_000, currency: "EUR" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "priceMinor: must be at most 99,999,999.99 EUR",
    });
    await expect(me.seller.products.create({ title: "Debt", priceMinor: -5, currency: "KRW" })).rejects.toMatchObject({ message: expect.stringMatching(/^priceMinor: must be at least 1 KRW/) });
    expect(await api.deps.db.product.count({ where: { title: { in: ["Freebie", "Villa", "Debt"] } } })).toBe(0);
    // A draft priced 0 before the rule goes on sale only with a price.
    const legacy = await createProduct(api.deps.db, seller.sellerId, { priceMinor: 0, status: "draft" });
    await expect(me.seller.products.publish({ id: legacy.id })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^priceMinor: must be at least 0.01 EUR/) });
    await me.seller.products.update({ id: legacy.id, priceMinor: 100 });
    expect((await me.seller.products.publish({ id: legacy.id })).status).toBe("active");

    // Above 2^31 minor units: a car priced in dong.
    const car = await me.seller.products.create({ title: "Car", priceMinor: 5_000_000_000, currency: "VND", publish: true });
    expect(car).toMatchObject({ priceMinor: 5_000_000_000, currency: "VND" });
    expect(await api.caller(null).catalog.get({ id: car.id })).toMatchObject({ priceMinor: 5_000_000_000 });
    const filtered = await api.caller(null).catalog.list({ minPriceMinor: 4_000_000_000, maxPriceMinor: 9_999_999_999, currency: "VND" });
    expect(filtered.items.map((p) => [p.id, p.priceMinor])).toEqual([[car.id, 5_000_000_000]]);
    await expect(me.seller.products.update({ id: car.id, priceMinor: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^priceMinor: must be at least 1 VND/) });
    await expect(me.seller.products.update({ id: car.id, priceMinor: 10_000_000_000 })).rejects.toMatchObject({ message: "priceMinor: must be at most 9,999,999,999 VND" });
    expect(await me.seller.products.update({ id: car.id, priceMinor: 9_999_999_999 })).toMatchObject({ priceMinor: 9_999_999_999 });
  });

  test("setStock goes to the inventory service; below reserved is a CONFLICT", async () => {
    const p = await me.seller.products.create({ title: "Bulb", priceMinor: 300, publish: true });
    expect(await me.seller.products.setStock({ id: p.id, onHand: 12 })).toMatchObject({ onHand: 12, available: 12 });
    expect((await me.seller.products.get({ id: p.id })).availability).toEqual({ status: "known", available: 12 });
    await api.deps.inventory.reserve({ lines: [{ sku: p.sku, quantity: 5 }], idempotencyKey: `t-${p.id}` });
    await expect(me.seller.products.setStock({ id: p.id, onHand: 2 })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  test("listOwn: only my products, any status, filter and paginate", async () => {
    await me.seller.products.create({ title: "Draft lamp", priceMinor: 1500 });
    const mine = await me.seller.products.listOwn({ limit: 100 });
    expect(mine.items.length).toBeGreaterThanOrEqual(4);
    expect(new Set(mine.items.map((p) => p.status)).size).toBeGreaterThan(1);
    await api.caller(other).seller.products.create({ title: "Other's lamp", priceMinor: 1 });
    expect((await me.seller.products.listOwn({ q: "other" })).items).toEqual([]);
    const drafts = await me.seller.products.listOwn({ status: "draft" });
    expect(drafts.items.every((p) => p.status === "draft")).toBe(true);
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<Caller["seller"]["products"]["listOwn"]>> = await me.seller.products.listOwn({ limit: 2, sort: "price_asc", cursor });
      pages.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual([...mine.items].sort((a, b) => a.priceMinor - b.priceMinor || (a.id < b.id ? -1 : 1)).map((p) => p.id));
  });

  test("image URLs: only https; javascript:, data:, http:, file: and the like are refused naming the image", async () => {
    const before = await api.deps.db.product.count();
    for (const url of ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:image/svg+xml;base64,PHN2Zz4=", "http://cdn.example/a.jpg", "file:///etc/passwd", "ftp://cdn.example/a.jpg", "//cdn.example/a.jpg", "vbscript:msgbox(1)"]) {
      await expect(me.seller.products.create({ title: "Lamp", priceMinor: 100, images: ["https://cdn.example/ok.jpg", url] }), url).rejects.toMatchObject({
        code: "BAD_REQUEST",
        cause: { issues: [expect.objectContaining({ path: ["images", 1], message: "must be an https:// URL of an image" })] },
      });
    }
    expect(await api.deps.db.product.count()).toBe(before);
    const p = await me.seller.products.create({ title: "Lamp with photos", priceMinor: 100, images: ["https://cdn.example/a.jpg", "https://img.example.org/b.webp?w=800"] });
    expect(p.images).toEqual(["https://cdn.example/a.jpg", "https://img.example.org/b.webp?w=800"]);
    await expect(me.seller.products.update({ id: p.id, images: ["javascript:alert(1)"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      cause: { issues: [expect.objectContaining({ path: ["images", 0] })] },
    });
    expect((await me.seller.products.get({ id: p.id })).images).toEqual(p.images);
  });

  test("search finds words inside angle brackets, in the catalog and in the seller's own list", async () => {
    const adapter = await me.seller.products.create({ title: "Adapter <USB-C> to HDMI", description: "Works with <Thunderbolt 3> ports", priceMinor: 1999, publish: true });
    for (const q of ["usb-c", "USB-C", "<USB-C>", "usb", "hdmi", "thunderbolt"]) {
      const found = await api.caller(null).catalog.list({ q });
      expect(found.items.map((p) => p.id), q).toContain(adapter.id);
      const own = await me.seller.products.listOwn({ q });
      expect(own.items.map((p) => p.id), q).toContain(adapter.id);
    }
    // Updating the title keeps the vector in step.
    await me.seller.products.update({ id: adapter.id, title: "Adapter <Lightning> to HDMI" });
    expect((await me.seller.products.listOwn({ q: "lightning" })).items.map((p) => p.id)).toEqual([adapter.id]);
    expect((await me.seller.products.listOwn({ q: "usb-c" })).items).toEqual([]);
  });

  test("another seller's product is NOT_FOUND for every action", async () => {
    const theirs = await api.caller(other).seller.products.create({ title: "Secret draft", priceMinor: 100 });
    for (const action of [
      () => me.seller.products.get({ id: theirs.id }),
      () => me.seller.products.update({ id: theirs.id, title: "mine now" }),
      () => me.seller.products.publish({ id: theirs.id }),
      () => me.seller.products.archive({ id: theirs.id }),
      () => me.seller.products.setStock({ id: theirs.id, onHand: 0 }),
    ]) {
      await expect(action()).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
  });
});
