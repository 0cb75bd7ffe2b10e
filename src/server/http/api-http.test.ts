// The API over real HTTP (createApiServer on port 0): what a browser or the CLI actually sees.
import { randomUUID } from "node:crypto";
import { importJWK, SignJWT, type JWK } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createLavkaClient } from "~/client";
import { startTestApi, type TestApi } from "../../../tests/helpers/api.ts";
import { createProduct, createSellerUser, createStockedProduct, fillCart, registerAccount } from "../../../tests/helpers/fixtures.ts";

let api: TestApi;
let base: string;
let token: string;
let productId: string;

beforeAll(async () => {
  api = await startTestApi();
  base = await api.listen();
  token = (await registerAccount(api.deps)).session.accessToken;
  const seller = await createSellerUser(api.deps.db);
  productId = (await createProduct(api.deps.db, seller.sellerId)).id;
});
afterAll(() => api?.close());

interface ErrorBody {
  error: { json: { message: string; code: number; data: { code: string; httpStatus: number; fieldErrors: Record<string, string[]> | null; field: string | null; reason: string | null } } };
}

async function query(path: string, input: unknown, auth?: string) {
  const url = `${base}/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const res = await fetch(url, { headers: auth ? { authorization: auth } : {} });
  return { status: res.status, body: (await res.json()) as ErrorBody & { result?: { data: { json: unknown } } } };
}

async function mutate(path: string, input: unknown, auth: string | undefined = `Bearer ${token}`) {
  const res = await fetch(`${base}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
    body: JSON.stringify({ json: input }),
  });
  return { status: res.status, body: (await res.json()) as ErrorBody & { result?: { data: { json: unknown } } } };
}

/** A token signed with the auth service's own key (read from its schema), with chosen claims. */
async function signWithServiceKey(claims: Record<string, unknown>, exp: number): Promise<string> {
  const client = new pg.Client({ connectionString: api.database.url });
  await client.connect();
  try {
    const row = (await client.query<{ kid: string; private_jwk: JWK }>("SELECT kid, private_jwk FROM ref_auth.signing_keys LIMIT 1")).rows[0]!;
    const key = await importJWK(row.private_jwk, "ES256");
    return await new SignJWT({ email: "x@example.test", name: "X", role: "buyer", sid: randomUUID(), ...claims })
      .setProtectedHeader({ alg: "ES256", kid: row.kid })
      .setSubject(randomUUID())
      .setIssuer(api.authService.issuer)
      .setAudience(api.authService.audience)
      .setIssuedAt(exp - 3600)
      .setExpirationTime(exp)
      .sign(key);
  } finally {
    await client.end();
  }
}

describe("authentication over HTTP", () => {
  test("no Authorization header: anonymous, public procedures work", async () => {
    const res = await query("catalog.list", {});
    expect(res.status).toBe(200);
  });

  test("a valid token reaches authed procedures", async () => {
    const res = await query("auth.me", undefined, `Bearer ${token}`);
    expect(res.status).toBe(200);
  });

  test.each([
    ["not a bearer header", "Basic dXNlcjpwYXNz", /must be 'Bearer <access token>'/],
    ["a malformed token", "Bearer not.a.jwt", /malformed/],
  ])("%s is 401 with a message, even on a public procedure", async (_name, header, message) => {
    const res = await query("catalog.list", {}, header);
    expect(res.status).toBe(401);
    expect(res.body.error.json.message).toMatch(message);
  });

  test("a tampered token (payload edited to role admin) is 401: signature invalid", async () => {
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, role: "admin" })).toString("base64url")}.${s}`;
    const res = await query("auth.me", undefined, `Bearer ${forged}`);
    expect(res.status).toBe(401);
    expect(res.body.error.json.message).toMatch(/signature is invalid/);
  });

  test("a token signed by another key is 401", async () => {
    const { privateKey } = await (await import("jose")).generateKeyPair("ES256");
    const other = await new SignJWT({ role: "admin", sid: randomUUID(), email: "a@b.c", name: "n" })
      .setProtectedHeader({ alg: "ES256", kid: "someone-else" })
      .setSubject(randomUUID())
      .setIssuer(api.authService.issuer)
      .setAudience(api.authService.audience)
      .setExpirationTime("1h")
      .sign(privateKey);
    const res = await query("auth.me", undefined, `Bearer ${other}`);
    expect(res.status).toBe(401);
    expect(res.body.error.json.message).toMatch(/signature is invalid/);
  });

  test("an expired token is 401 'expired'", async () => {
    const expired = await signWithServiceKey({}, Math.floor(Date.now() / 1000) - 120);
    const res = await query("auth.me", undefined, `Bearer ${expired}`);
    expect(res.status).toBe(401);
    expect(res.body.error.json.message).toMatch(/expired/);
  });

  test("a token for another audience is 401 naming the claim", async () => {
    const client = new pg.Client({ connectionString: api.database.url });
    await client.connect();
    const row = (await client.query<{ kid: string; private_jwk: JWK }>("SELECT kid, private_jwk FROM ref_auth.signing_keys LIMIT 1")).rows[0]!;
    await client.end();
    const wrongAud = await new SignJWT({ email: "x@example.test", name: "X", role: "buyer", sid: randomUUID() })
      .setProtectedHeader({ alg: "ES256", kid: row.kid })
      .setSubject(randomUUID())
      .setIssuer(api.authService.issuer)
      .setAudience("some-other-api")
      .setExpirationTime("1h")
      .sign(await importJWK(row.private_jwk, "ES256"));
    const res = await query("auth.me", undefined, `Bearer ${wrongAud}`);
    expect(res.status).toBe(401);
    expect(res.body.error.json.message).toMatch(/aud/);
  });

  test("after logout the token is 401", async () => {
    const { session } = await registerAccount(api.deps);
    expect((await mutate("auth.logout", undefined, `Bearer ${session.accessToken}`)).status).toBe(200);
    const res = await query("auth.me", undefined, `Bearer ${session.accessToken}`);
    expect(res.status).toBe(401);
    expect(res.body.error.json.message).toMatch(/session has ended/);
  });

  test("an authed procedure without a token is 401 'Sign in'", async () => {
    const res = await query("cart.view", undefined);
    expect(res.status).toBe(401);
    expect(res.body.error.json.message).toMatch(/Sign in/);
  });
});

describe("malformed input over HTTP: 400 naming the field", () => {
  test.each([
    ["wrong type", "cart.add", () => ({ productId, quantity: "two" }), "quantity"],
    ["negative quantity", "cart.add", () => ({ productId, quantity: -1 }), "quantity"],
    ["fractional quantity", "cart.setQuantity", () => ({ productId, quantity: 1.5 }), "quantity"],
    ["not a uuid", "cart.add", () => ({ productId: "42", quantity: 1 }), "productId"],
    ["unknown field", "cart.add", () => ({ productId, quantity: 1, price: 1 }), "price"],
    ["huge string", "checkout.place", () => ({ idempotencyKey: "k".repeat(50), shippingAddress: { name: "x".repeat(20_000) } }), "shippingAddress.name"],
    ["bad idempotency key", "checkout.place", () => ({ idempotencyKey: "short", shippingAddress: {} }), "idempotencyKey"],
    ["control characters", "checkout.place", () => ({ idempotencyKey: randomUUID(), shippingAddress: { name: "a\u0000b", line1: "x", city: "x", postalCode: "1", country: "DE" } }), "shippingAddress.name"],
    ["missing input", "cart.add", () => undefined, "input"],
  ])("%s", async (_name, path, input, field) => {
    const res = await mutate(path, input());
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error.json.message).toContain(field);
    expect(res.body.error.json.data.code).toMatch(/BAD_REQUEST|PAYLOAD_TOO_LARGE/);
  });

  test("a domain error names its field and reason as data, not only in its message", async () => {
    const { session, user } = await registerAccount(api.deps, "seller");
    const auth = `Bearer ${session.accessToken}`;
    const noShop = await query("stats.summary", { from: "2026-01-01T00:00:00.000Z", to: "2026-02-01T00:00:00.000Z" }, auth);
    expect(noShop.status).toBe(403);
    expect(noShop.body.error.json.data).toMatchObject({ reason: "no_shop", field: null, fieldErrors: null });

    await api.deps.db.seller.create({ data: { userId: user.id, shopName: `Shop ${randomUUID()}` } });
    const sku = `TAKEN-${randomUUID().slice(0, 8)}`;
    expect((await mutate("seller.products.create", { title: "Copy", priceMinor: 100, sku }, auth)).status).toBe(200);
    const again = await mutate("seller.products.create", { title: "Copy", priceMinor: 100, sku }, auth);
    expect(again.status).toBe(409);
    expect(again.body.error.json.data).toMatchObject({ field: "sku", fieldErrors: { sku: [`"${sku}" is already used by another product.`] } });
  });

  test("query input: price range and limits", async () => {
    const bad = await query("catalog.list", { limit: 1000, minPriceMinor: -5, sort: "cheapest" });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.json.data.fieldErrors ?? {})).toEqual(expect.arrayContaining(["limit", "minPriceMinor", "sort"]));
    const q = await query("catalog.list", { q: "x".repeat(5_000) });
    expect(q.status).toBe(400);
    expect(q.body.error.json.message).toContain("q");
  });

  test("a body over the size limit is refused, not a 500", async () => {
    const res = await fetch(`${base}/trpc/cart.add`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ json: { productId, quantity: 1, pad: "x".repeat(200_000) } }),
    });
    expect(res.status).toBe(413);
  });

  test("not JSON at all is 400", async () => {
    const res = await fetch(`${base}/trpc/cart.add`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: "{oops" });
    expect(res.status).toBe(400);
  });
});

describe("a buyer's journey through the typed client (what the web does)", () => {
  test("register, browse, add to cart, check out twice with one key, see the order", async () => {
    const seller = await createSellerUser(api.deps.db);
    const teapot = await createStockedProduct(api.deps, seller.sellerId, 3, { title: "Journey teapot", priceMinor: 3100 });
    const anonymous = createLavkaClient({ url: base });
    const signedUp = await anonymous.auth.register.mutate({ email: `journey-${randomUUID()}@example.test`, password: "journey password", displayName: "J" });
    expect(signedUp.expiresAt).toBeInstanceOf(Date); // superjson keeps dates
    const client = createLavkaClient({ url: base, token: signedUp.token });

    const found = await client.catalog.list.query({ q: "journey", inStock: true });
    expect(found.items.map((p) => p.id)).toEqual([teapot.id]);
    expect((await client.catalog.get.query({ id: teapot.id })).availability).toEqual({ status: "known", available: 3 });
    const cart = await client.cart.add.mutate({ productId: teapot.id, quantity: 2 });
    expect(cart).toMatchObject({ canCheckout: true, totals: [{ currency: "EUR", subtotalMinor: 6200 }] });

    const key = randomUUID();
    const shippingAddress = { name: "J", line1: "2 Lane", city: "Oslo", postalCode: "0150", country: "NO" };
    const [first, again] = [await client.checkout.place.mutate({ idempotencyKey: key, shippingAddress }), await client.checkout.place.mutate({ idempotencyKey: key, shippingAddress })];
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({ status: "pending_payment", totalMinor: 6200 });
    expect((await client.cart.view.query()).lines).toEqual([]);
    expect((await client.catalog.get.query({ id: teapot.id })).availability).toEqual({ status: "known", available: 1 });
    const mine = await client.orders.list.query({});
    expect(mine.items.map((o) => o.id)).toEqual([first.id]);
  });
});

describe("checkout over HTTP", () => {
  test("the same idempotency key for a different cart is 422 naming idempotencyKey; the new cart is not placed", async () => {
    const account = await registerAccount(api.deps);
    const auth = `Bearer ${account.session.accessToken}`;
    const seller = await createSellerUser(api.deps.db);
    const [kettle, mug] = await Promise.all([createStockedProduct(api.deps, seller.sellerId, 3), createStockedProduct(api.deps, seller.sellerId, 3)]);
    const shippingAddress = { name: "K", line1: "3 Road", city: "Riga", postalCode: "1010", country: "LV" };
    const idempotencyKey = randomUUID();
    await fillCart(api.deps.db, account.user.id, [{ productId: kettle.id, quantity: 1 }]);
    const placed = await mutate("checkout.place", { idempotencyKey, shippingAddress }, auth);
    expect(placed.status).toBe(200);
    expect(await mutate("checkout.place", { idempotencyKey, shippingAddress }, auth)).toMatchObject({ status: 200, body: placed.body });

    await fillCart(api.deps.db, account.user.id, [{ productId: mug.id, quantity: 2 }]);
    const reused = await mutate("checkout.place", { idempotencyKey, shippingAddress }, auth);
    expect(reused.status).toBe(422);
    expect(reused.body.error.json.data.code).toBe("UNPROCESSABLE_CONTENT");
    expect(reused.body.error.json.message).toMatch(/^idempotencyKey: /);
    expect(await api.deps.db.order.count({ where: { buyerId: account.user.id } })).toBe(1);
    expect(await api.deps.inventory.getStock(mug.sku)).toMatchObject({ reserved: 0 });
  });
});
