// Free text with control characters and keys named __proto__, over real HTTP: each is a 400 that
// names the field (in the message and in data.fieldErrors), and nothing is stored.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMetricsRegistry } from "~/lib/metrics";
import { createApiServer, type ApiServer } from "~/server/http/server";
import type { AuthUser } from "~/server/trpc/context";
import { send } from "../../../tests/fuzz/http.ts";
import { startTestApi, type TestApi } from "../../../tests/helpers/api.ts";
import { createAdminUser, createProduct, createSellerUser, createUser, type TestSeller } from "../../../tests/helpers/fixtures.ts";
import { createOrder } from "../../../tests/helpers/orders-fixtures.ts";

type Who = "anonymous" | "buyer" | "seller" | "admin";

let api: TestApi;
let server: ApiServer;
let base: string;
let seller: TestSeller;
let productId: string;
let orderId: string;

beforeAll(async () => {
  api = await startTestApi();
  const { db } = api.deps;
  seller = await createSellerUser(db);
  const users: Record<Exclude<Who, "anonymous">, AuthUser> = { buyer: await createUser(db, "buyer"), seller, admin: await createAdminUser(db) };
  const product = await createProduct(db, seller.sellerId, { title: "Clay teapot" });
  productId = product.id;
  orderId = (await createOrder(db, users.buyer.id, [{ product, quantity: 1 }])).id;
  server = createApiServer({
    deps: api.deps,
    registry: createMetricsRegistry("bad-input"),
    maxBodyBytes: 100_000,
    authenticate: async (req) => {
      const role = req.headers["x-test-role"];
      return role === "buyer" || role === "seller" || role === "admin" ? users[role] : null;
    },
  });
  await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await server?.shutdown(1_000);
  await api?.close();
});

interface Answer {
  status: number;
  message: string;
  fieldErrors: Record<string, string[]> | null;
}

/** One procedure call; `body` is the raw JSON text of the input (so keys like __proto__ survive). */
async function call(who: Who, type: "query" | "mutation", path: string, body: string): Promise<Answer> {
  const headers: Record<string, string> = who === "anonymous" ? {} : { "x-test-role": who };
  const payload = `{"json":${body}}`;
  const res =
    type === "query"
      ? await send(base, { method: "GET", path: `/trpc/${path}?input=${encodeURIComponent(payload)}`, headers })
      : await send(base, { method: "POST", path: `/trpc/${path}`, headers: { ...headers, "content-type": "application/json" }, body: payload });
  const json = JSON.parse(res.text) as { error?: { json: { message: string; data: { fieldErrors: Record<string, string[]> | null } } } };
  return { status: res.status, message: json.error?.json.message ?? "", fieldErrors: json.error?.json.data.fieldErrors ?? null };
}

const counts = async () => {
  const { db } = api.deps;
  return {
    products: await db.product.count(),
    titles: (await db.product.findMany({ select: { title: true, description: true } })).map((p) => `${p.title}|${p.description}`).sort(),
    sellers: await db.seller.count(),
    cancelled: await db.order.count({ where: { status: "cancelled" } }),
    jobRuns: await db.jobRun.count(),
    users: await db.user.count(),
  };
};

describe("control characters in free text", () => {
  // The places the issue saw a 500, each with the field that must be named.
  const cases: Array<{ who: Who; type: "query" | "mutation"; path: string; field: string; input: (bad: string) => unknown }> = [
    { who: "seller", type: "mutation", path: "seller.products.create", field: "title", input: (bad) => ({ title: bad, priceMinor: 100 }) },
    { who: "seller", type: "mutation", path: "seller.products.create", field: "description", input: (bad) => ({ title: "Teapot", description: bad, priceMinor: 100 }) },
    { who: "seller", type: "mutation", path: "seller.products.update", field: "title", input: (bad) => ({ id: productId, title: bad }) },
    { who: "seller", type: "mutation", path: "seller.products.update", field: "description", input: (bad) => ({ id: productId, description: bad }) },
    { who: "buyer", type: "mutation", path: "auth.becomeSeller", field: "shopName", input: (bad) => ({ shopName: bad }) },
    { who: "buyer", type: "mutation", path: "orders.cancel", field: "reason", input: (bad) => ({ orderId, reason: bad }) },
    { who: "anonymous", type: "query", path: "catalog.list", field: "q", input: (bad) => ({ q: bad }) },
    { who: "seller", type: "query", path: "seller.products.listOwn", field: "q", input: (bad) => ({ q: bad }) },
    { who: "admin", type: "query", path: "admin.users.list", field: "search", input: (bad) => ({ search: bad }) },
    { who: "anonymous", type: "mutation", path: "auth.register", field: "displayName", input: (bad) => ({ email: "nul@example.test", password: "long enough pw", displayName: bad }) },
    { who: "admin", type: "mutation", path: "admin.jobs.trigger", field: "params.from", input: (bad) => ({ name: "backfill-sales", params: { from: bad, to: "2026-01-02" } }) },
  ];
  const bad = {
    NUL: "Tea\u0000pot",
    "another C0 control (BEL)": "Tea\u0007pot",
    "a C1 control (NEL)": "Tea\u0085pot",
    DEL: "Tea\u007Fpot",
    "a lone surrogate": "Tea\uD800pot",
  };

  for (const c of cases) {
    test(`${c.path} ${c.field}: 400 naming the field for NUL, C0, C1, DEL and lone surrogates`, async () => {
      const before = await counts();
      for (const [what, value] of Object.entries(bad)) {
        const answer = await call(c.who, c.type, c.path, JSON.stringify(c.input(value)));
        const label = `${c.path} ${c.field} with ${what}: ${JSON.stringify(answer)}`;
        expect(answer.status, label).toBe(400);
        expect(answer.message, label).toContain(`${c.field}: must`);
        expect(answer.fieldErrors?.[c.field]?.[0], label).toMatch(what === "a lone surrogate" ? /broken characters/ : /must not contain control characters/);
      }
      expect(await counts()).toEqual(before);
    });
  }

  test("single-line fields refuse line breaks and tabs; multi-line fields keep \\n, \\r\\n and \\t but refuse a lone \\r", async () => {
    const before = await counts();
    for (const title of ["Tea\npot", "Tea\r\npot", "Tea\tpot"]) {
      const answer = await call("seller", "mutation", "seller.products.update", JSON.stringify({ id: productId, title }));
      expect(answer.status, JSON.stringify(title)).toBe(400);
      expect(answer.fieldErrors?.title).toEqual([expect.stringMatching(/control characters/)]);
    }
    const lone = await call("seller", "mutation", "seller.products.update", JSON.stringify({ id: productId, description: "one\rtwo" }));
    expect(lone.fieldErrors?.description).toEqual([expect.stringMatching(/control characters/)]);
    expect(await counts()).toEqual(before);

    const description = "Hand thrown.\nHolds 0.8 l.\r\n\tDishwasher safe.";
    const saved = await call("seller", "mutation", "seller.products.update", JSON.stringify({ id: productId, description }));
    expect(saved.status).toBe(200);
    expect((await api.deps.db.product.findUniqueOrThrow({ where: { id: productId }, select: { description: true } })).description).toBe(description);
  });

  test("text around the controls is fine: accents, emoji (a surrogate pair), other scripts", async () => {
    const title = "Théière 🍵 茶壶 чайник";
    const answer = await call("seller", "mutation", "seller.products.update", JSON.stringify({ id: productId, title }));
    expect(answer.status).toBe(200);
    const found = await call("anonymous", "query", "catalog.list", JSON.stringify({ q: "🍵 чайник" }));
    expect(found.status).toBe(200);
  });
});

describe("keys named __proto__", () => {
  // JSON.parse makes "__proto__" an ordinary own key; superjson's deserialize then dropped it
  // without a word (the request ran as if the key were absent).
  const cases: Array<{ who: Who; type: "query" | "mutation"; path: string; body: string; field: string }> = [
    { who: "anonymous", type: "query", path: "catalog.list", body: `{"q":"tea","__proto__":{"role":"admin"}}`, field: "input.__proto__" },
    { who: "anonymous", type: "mutation", path: "auth.login", body: `{"email":"a@example.test","password":"whatever-1","__proto__":{"isAdmin":true}}`, field: "input.__proto__" },
    { who: "admin", type: "mutation", path: "admin.jobs.trigger", body: `{"name":"aggregate-sales","params":{"__proto__":"x"}}`, field: "params.__proto__" },
    { who: "buyer", type: "mutation", path: "orders.cancel", body: `{"orderId":"00000000-0000-4000-8000-000000000000","reason":"x","__proto__":null}`, field: "input.__proto__" },
    { who: "seller", type: "mutation", path: "seller.products.create", body: `{"title":"T","priceMinor":1,"images":[{"__proto__":{}}]}`, field: "images.0.__proto__" },
  ];
  for (const c of cases) {
    test(`${c.path}: 400 naming ${c.field}; nothing runs`, async () => {
      const before = await counts();
      const answer = await call(c.who, c.type, c.path, c.body);
      expect(answer.status, JSON.stringify(answer)).toBe(400);
      expect(answer.message).toContain(`${c.field}: `);
      expect(answer.fieldErrors?.[c.field]?.[0]).toMatch(/__proto__/);
      expect(await counts()).toEqual(before);
    });
  }

  test("in a batch call, the batch is refused as a whole", async () => {
    const payload = `{"0":{"json":{"q":"tea"}},"1":{"json":{"q":"tea","__proto__":{}}}}`;
    const res = await send(base, { method: "GET", path: `/trpc/catalog.list,catalog.list?batch=1&input=${encodeURIComponent(payload)}` });
    const answers = JSON.parse(res.text) as Array<{ error?: { json: { data: { httpStatus: number; fieldErrors: Record<string, string[]> } } } }>;
    expect(answers).toHaveLength(2);
    for (const answer of answers) {
      expect(answer.error?.json.data).toMatchObject({ httpStatus: 400, fieldErrors: { "input.__proto__": [expect.stringMatching(/__proto__/)] } });
    }
  });
});
