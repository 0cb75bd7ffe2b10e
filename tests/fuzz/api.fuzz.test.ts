// Malformed input against every tRPC procedure and every plain HTTP endpoint of the API, over
// real HTTP (createApiServer with real dependencies: PostgreSQL, the reference auth and inventory
// services). Procedures are enumerated from appRouter, so new ones are covered without editing
// this file. Properties:
// - no answer is a 5xx; every 4xx carries a message a person can read;
// - input that cannot be valid (an unknown field, a non-object, a broken body) is a 4xx that
//   names the problem, and the procedure never runs;
// - every string field of every procedure, nested ones included (shippingAddress.city, images.0,
//   params.<key> and the keys themselves), given text with a control character (NUL, other C0,
//   DEL, C1) or a lone surrogate, is a 400 naming that field; free-text fields say why;
// - the database is byte-for-byte unchanged afterwards (checksum of every table but the sign-in
//   limiter's counters, which failed sign-ins are meant to move), and no circuit breaker of the
//   API's clients opened.
// Runs are bounded by case count, never by time: LAVKA_FUZZ_RUNS raises the number of generated
// cases per procedure and per string field (default 12).
import { createHmac } from "node:crypto";
import fc from "fast-check";
import pg from "pg";
import superjson from "superjson";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMetricsRegistry } from "~/lib/metrics";
import { MONEY_LIMITS } from "~/core/money";
import { CARRIER_SIGNATURE_HEADER } from "~/core/integrations/carrier";
import { authenticateRequest, createApiServer, type ApiServer } from "~/server/http/server";
import type { AuthUser } from "~/server/trpc/context";
import { appRouter } from "~/server/trpc/root";
import { startTestApi, type TestApi } from "../helpers/api.ts";
import { createAdminUser, createCategory, createProduct, createSellerUser, createUser } from "../helpers/fixtures.ts";
import { errorMessage, fieldErrorsOf, send, type RawResponse } from "./http.ts";

const RUNS = Number(process.env.LAVKA_FUZZ_RUNS ?? 12);
const MAX_BODY_BYTES = 100_000;
const WEBHOOK_SECRET = "fuzz-carrier-webhook-secret-0123456789";
const UNKNOWN_KEY = "fuzzUnknownField";

interface ProcedureInfo {
  path: string;
  type: "query" | "mutation";
  /** Top-level field names of the input object (empty without an input). */
  fields: string[];
  hasInput: boolean;
  /** The input's zod schema (undefined without an input). */
  schema: unknown;
}

function procedures(): ProcedureInfo[] {
  const record = (appRouter._def as unknown as { procedures: Record<string, { _def: { type: string; inputs: unknown[] } }> }).procedures;
  return Object.entries(record).map(([path, p]) => {
    const input = p._def.inputs[0] as { shape?: Record<string, unknown>; def?: { innerType?: { shape?: Record<string, unknown> } } } | undefined;
    const shape = input?.shape ?? input?.def?.innerType?.shape ?? {};
    return { path, type: p._def.type as ProcedureInfo["type"], fields: Object.keys(shape), hasInput: p._def.inputs.length > 0, schema: input };
  });
}

/**
 * Where a procedure's input holds a string (zod string, string format, enum, or a date coerced
 * from a string), with the smallest input that puts a given value there. Read from the zod
 * definitions, so fields added later are covered without editing this file.
 */
interface StringField {
  /** The field as the error names it, given the generated text (a record's key is named by itself). */
  name(value: string): string;
  /** Free text (no format, pattern or choice list): its refusal must name the character problem. */
  freeText: boolean;
  build(value: string): unknown;
}

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

function stringFields(schema: unknown, build: (v: unknown) => unknown = (v) => v, path: Array<string | number> = []): StringField[] {
  const def = defOf(schema);
  const leaf = (freeText: boolean): StringField[] => [{ name: () => path.join(".") || "input", freeText, build }];
  switch (def.type) {
    case "string": {
      const checks = (def.checks as Array<{ _zod: { def: { format?: string } } }> | undefined) ?? [];
      return leaf(def.format === undefined && !checks.some((c) => c._zod.def.format !== undefined));
    }
    case "enum":
      return leaf(false);
    case "date":
      return def.coerce ? leaf(false) : [];
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "nonoptional":
    case "catch":
      return stringFields(def.innerType, build, path);
    case "pipe":
      return stringFields(def.in, build, path);
    case "array":
      return stringFields(def.element, (v) => build([v]), [...path, 0]);
    case "record": {
      const keys = stringFields(def.keyType).map((k) => ({ ...k, name: (v: string) => [...path, v].join("."), build: (v: string) => build({ [v]: "x" }) }));
      return [...keys, ...stringFields(def.valueType, (v) => build({ fuzzKey: v }), [...path, "fuzzKey"])];
    }
    case "object": {
      const shape = def.shape as Record<string, unknown>;
      // Literal fields are a union's discriminator: keep them right so the branch is the one walked.
      const fixed = Object.fromEntries(
        Object.entries(shape)
          .filter(([, field]) => defOf(field).type === "literal")
          .map(([name, field]) => [name, (defOf(field).values as unknown[])[0]]),
      );
      return Object.entries(shape).flatMap(([name, field]) => stringFields(field, (v) => build({ ...fixed, [name]: v }), [...path, name]));
    }
    case "union":
      return (def.options as unknown[]).flatMap((option) => stringFields(option, build, path));
    default:
      return [];
  }
}

/** Every code point the text rules refuse everywhere: C0 but \t and \n (multi-line fields keep those), DEL, C1, lone surrogates. */
const refusedCharacter = fc.oneof(
  fc.integer({ min: 0x00, max: 0x1f }).filter((c) => c !== 0x09 && c !== 0x0a).map((c) => String.fromCharCode(c)),
  fc.constant("\u007F"),
  fc.integer({ min: 0x80, max: 0x9f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
);
/** Text with one refused character inside (not at the ends, where trimming could remove a control). */
const textWithRefusedCharacter = fc
  .tuple(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 8 }), refusedCharacter, fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 8 }))
  .map(([a, c, b]) => `${a.replace(/\s/g, "a")}${c}${b.replace(/\s/g, "b")}`);

const sqlish = fc.constantFrom(
  "' OR '1'='1",
  `'; DROP TABLE "Product"; --`,
  "1; SELECT pg_sleep(5)",
  `" UNION SELECT * FROM "User" --`,
  "%' AND 1=1 --",
  "$$;$$",
  "\\",
  "%_%",
  "&|!:*<->",
  '"phrase',
  "-",
);
const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }), // lone surrogates, control characters, NUL
  fc.string({ minLength: 1_000, maxLength: 5_000 }),
  sqlish,
  fc.constantFrom("", " ", "\u0000", "\uD800", "0", "-1", "NaN", "null", "undefined", "00000000-0000-0000-0000-000000000000", "not-a-uuid"),
);
// Money is BIGINT with limits far above int32 (src/core/money.ts): integers across the whole safe
// range, and each side of those limits.
const weirdNumber = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(-1, 0, 2 ** 31 - 1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, 1_000_000_000_000, 0.5, Number.MAX_SAFE_INTEGER + 2),
  fc.constantFrom(...Object.values(MONEY_LIMITS).flatMap((max) => [max, max + 1])),
  fc.double(),
);
const leaf = fc.oneof(weirdString, weirdNumber, fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true }));
const junk: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), tie("value"), { maxKeys: 4 })),
})).value;

/** An object with the procedure's own field names holding wrong or extreme values (plus huge limits). */
function fieldsArb(info: ProcedureInfo): fc.Arbitrary<Record<string, unknown>> {
  if (info.fields.length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), junk, { maxKeys: 3 });
  const value = (field: string) => (field === "limit" || field === "take" ? fc.oneof(fc.integer({ min: 101, max: 2 ** 31 }), junk) : junk);
  return fc.record(Object.fromEntries(info.fields.map((f) => [f, value(f)])), { requiredKeys: [] });
}

/** Input that is invalid whatever the schema: an unknown field, or not an object at all. */
function invalidInputArb(info: ProcedureInfo): fc.Arbitrary<unknown> {
  return fc.oneof(
    fieldsArb(info).map((o) => ({ ...o, [UNKNOWN_KEY]: "x" })),
    fc.oneof(weirdString, weirdNumber, fc.boolean(), fc.array(junk, { maxLength: 3 })),
  );
}

type Role = "anonymous" | "buyer" | "seller" | "admin";

let api: TestApi;
let server: ApiServer;
let baseUrl: string;
let checksumBefore: string;

async function databaseChecksum(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
         -- The shared rate limiter's counters: garbage sign-ins count against their address, by design.
         AND table_name <> 'RateLimit' ORDER BY 1, 2`,
    );
    const parts: string[] = [];
    for (const t of tables) {
      const q = `"${t.schema}"."${t.name}"`;
      const { rows } = await client.query<{ n: number; sum: string | null }>(
        `SELECT count(*)::int AS n, md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))) AS sum FROM ${q} x`,
      );
      parts.push(`${q}:${rows[0]!.n}:${rows[0]!.sum ?? "-"}`);
    }
    return parts.join("\n");
  } finally {
    await client.end();
  }
}

function trpcRequest(info: ProcedureInfo, role: Role, payload: unknown) {
  const headers: Record<string, string> = role === "anonymous" ? {} : { "x-fuzz-role": role };
  if (info.type === "query") {
    return { method: "GET", path: `/trpc/${info.path}?input=${encodeURIComponent(JSON.stringify(payload))}`, headers };
  }
  return { method: "POST", path: `/trpc/${info.path}`, headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(payload) };
}

function describeCase(what: string, res: RawResponse): string {
  return `${what} -> ${res.status} ${res.text.slice(0, 300)}`;
}

/** Every answer: below 500, and a 4xx says what is wrong. */
function expectClientSafe(what: string, res: RawResponse): void {
  expect(res.status, describeCase(what, res)).toBeLessThan(500);
  if (res.status >= 400) expect(errorMessage(res.text).length, describeCase(what, res)).toBeGreaterThan(0);
}

function expectRejected(what: string, res: RawResponse): void {
  expect(res.status, describeCase(what, res)).toBeGreaterThanOrEqual(400);
  expect(res.status, describeCase(what, res)).toBeLessThan(500);
  expect(errorMessage(res.text).length, describeCase(what, res)).toBeGreaterThan(0);
}

const all = procedures();

beforeAll(async () => {
  api = await startTestApi();
  const { db } = api.database;
  const users: Record<Exclude<Role, "anonymous">, AuthUser> = {
    buyer: await createUser(db, "buyer"),
    seller: await createSellerUser(db),
    admin: await createAdminUser(db),
  };
  // Some rows, so "unchanged" is about real data, not empty tables.
  const category = await createCategory(db);
  const seller = users.seller as AuthUser & { sellerId: string };
  for (let i = 0; i < 5; i += 1) await createProduct(db, seller.sellerId, { categoryId: category.id });
  server = createApiServer({
    deps: api.deps,
    registry: createMetricsRegistry("api-fuzz"),
    maxBodyBytes: MAX_BODY_BYTES,
    carrierWebhookSecret: WEBHOOK_SECRET,
    // Generous limits: this test is about input handling, not the login throttle.
    authRateLimits: { login: { perIp: { max: 1e9, windowMs: 1_000 }, perAccountFailures: { max: 1e9, windowMs: 1_000 } }, register: { perIp: { max: 1e9, windowMs: 1_000 }, perAccount: { max: 1e9, windowMs: 1_000 } } },
    authenticate: async (req) => {
      const role = req.headers["x-fuzz-role"];
      if (role === "buyer" || role === "seller" || role === "admin") return users[role];
      return authenticateRequest(api.deps, req);
    },
  });
  await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  checksumBefore = await databaseChecksum(api.database.url);
});

afterAll(async () => {
  await server?.shutdown(1_000);
  await api?.close();
});

/** The API's clients' breakers; checked after every test, so one that opened and closed again is seen too. */
const breakers = () => ({ auth: api.deps.auth.http.breaker.state, inventory: api.deps.inventory.http.breaker.state });
afterEach(() => {
  expect(breakers()).toEqual({ auth: "closed", inventory: "closed" });
});

describe("every tRPC procedure", () => {
  it("enumerates the router", () => {
    expect(all.length).toBeGreaterThan(20);
  });

  for (const info of all) {
    it(`${info.path}: malformed input is a 4xx naming the problem; never a 5xx`, async () => {
      const role = fc.constantFrom<Role>("anonymous", "buyer", "seller", "admin");
      if (info.hasInput) {
        await fc.assert(
          fc.asyncProperty(role, invalidInputArb(info), fc.boolean(), async (who, input, viaSuperjson) => {
            const payload = viaSuperjson ? superjson.serialize(input) : { json: input };
            const res = await send(baseUrl, trpcRequest(info, who, payload));
            expectRejected(`${who} ${info.path} ${JSON.stringify(payload).slice(0, 200)}`, res);
            // The problem is named: an unknown field by its name, anything else as a field or "input".
            if (res.status === 400 && typeof input === "object" && input !== null && !Array.isArray(input) && !(input instanceof Date)) {
              expect(errorMessage(res.text)).toMatch(new RegExp(`${UNKNOWN_KEY}|input|:`));
            }
          }),
          { numRuns: RUNS },
        );
      }
      // Reads may run with whatever passes validation: still never a 5xx (SQL-looking text, huge limits).
      if (info.type === "query") {
        await fc.assert(
          fc.asyncProperty(role, fieldsArb(info), async (who, input) => {
            const res = await send(baseUrl, trpcRequest(info, who, superjson.serialize(input)));
            expectClientSafe(`${who} ${info.path} ${JSON.stringify(input).slice(0, 200)}`, res);
          }),
          { numRuns: RUNS },
        );
      }
    });

    const fields = info.hasInput ? stringFields(info.schema) : [];
    if (fields.length > 0) {
      it(`${info.path}: control characters or a lone surrogate in any string field (${fields.length}) is a 400 naming that field`, async () => {
        for (const field of fields) {
          await fc.assert(
            fc.asyncProperty(textWithRefusedCharacter, fc.boolean(), async (text, viaSuperjson) => {
              const input = field.build(text);
              const payload = viaSuperjson ? superjson.serialize(input) : { json: input };
              // Admin passes every role check, so the input is what gets judged.
              const res = await send(baseUrl, trpcRequest(info, "admin", payload));
              const name = field.name(text);
              const label = `${info.path} ${name}=${JSON.stringify(text)} -> ${res.status} ${res.text.slice(0, 300)}`;
              expect(res.status, label).toBe(400);
              const problems = fieldErrorsOf(res.text)[name];
              expect(problems, label).toBeDefined();
              expect(errorMessage(res.text), label).toContain(`${name}: `);
              if (field.freeText) expect(problems!.join(" "), label).toMatch(/control characters|broken characters/);
            }),
            { numRuns: RUNS },
          );
        }
      });
    }

    it(`${info.path}: broken transport (bad JSON, invalid UTF-8, deep JSON, wrong method or content type, oversized body, bad meta)`, async () => {
      const path = `/trpc/${info.path}`;
      const post = (body: string | Buffer, contentType = "application/json") => ({
        method: "POST",
        path,
        headers: { "content-type": contentType, "x-fuzz-role": "admin" },
        body,
      });
      const deep = (n: number) => `{"json":${"[".repeat(n)}${"]".repeat(n)}}`;
      const deepObject = (n: number) => `{"json":${'{"a":'.repeat(n)}1${"}".repeat(n)}}`;
      const cases: Array<[string, Parameters<typeof send>[1]]> = [
        ["unknown procedure", { method: "POST", path: `${path}Nope`, headers: { "content-type": "application/json" }, body: "{}" }],
        ["superjson meta pointing nowhere", post(JSON.stringify({ json: { [UNKNOWN_KEY]: 1 }, meta: { values: { "a.b.c": ["Date"], __proto__: ["map"] } } }))],
        ["superjson meta of the wrong shape", post(JSON.stringify({ json: { [UNKNOWN_KEY]: 1 }, meta: { values: "x", referentialEqualities: 5 } }))],
        ["prototype pollution attempt", post(`{"json":{"__proto__":{"role":"admin"},"constructor":{"prototype":{"x":1}},"${UNKNOWN_KEY}":1}}`)],
      ];
      if (info.type === "mutation") {
        cases.push(
          ["GET on a mutation", { method: "GET", path: `${path}?input=${encodeURIComponent('{"json":{}}')}` }],
          ["invalid JSON", post('{"json": {"a": ')],
          ["invalid UTF-8", post(Buffer.concat([Buffer.from(`{"json":{"${UNKNOWN_KEY}":"`), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}}')]))],
          ["deep arrays", post(deep(50_000))],
          ["deep objects", post(deepObject(50_000))],
          ["oversized body", post(`{"json":{"${UNKNOWN_KEY}":"${"x".repeat(MAX_BODY_BYTES + 10)}"}}`)],
          ["text/plain", post(`{"json":{"${UNKNOWN_KEY}":1}}`, "text/plain")],
          ["form-urlencoded", post(`${UNKNOWN_KEY}=1&a=%27%20OR%201%3D1`, "application/x-www-form-urlencoded")],
          ["multipart garbage", post("--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xyz--", "multipart/form-data; boundary=xyz")],
          ["octet-stream", post(Buffer.from([0, 1, 2, 3, 255]), "application/octet-stream")],
          ["empty body", post("")],
        );
      } else {
        cases.push(
          ["POST on a query", post('{"json":{}}')],
          ["input not JSON", { method: "GET", path: `${path}?input=%7Bnot-json`, headers: { "x-fuzz-role": "admin" } }],
          ["input with invalid UTF-8 escapes", { method: "GET", path: `${path}?input=%FF%FE%7B`, headers: { "x-fuzz-role": "admin" } }],
          ["deep input", { method: "GET", path: `${path}?input=${encodeURIComponent(deep(2_000))}`, headers: { "x-fuzz-role": "admin" } }],
        );
      }
      for (const [what, request] of cases) {
        const res = await send(baseUrl, request);
        const label = `${info.path}: ${what}`;
        // Procedures without input ignore the body; everything else must reject it.
        // A procedure without input never reads the body or ?input= (tRPC parses lazily): whatever
        // is there cannot be malformed input, so only "never a 5xx" applies. The database
        // checksum at the end shows that the no-input mutations run here (cart.clear on an empty
        // cart, logout of a test user) changed nothing.
        const inputLevel = !["unknown procedure", "GET on a mutation", "POST on a query", "oversized body"].includes(what);
        if (!info.hasInput && inputLevel) {
          expectClientSafe(label, res);
        } else {
          expectRejected(label, res);
        }
        if (what === "oversized body") expect(res.status, describeCase(label, res)).toBe(413);
      }
    });
  }
});

describe("plain HTTP endpoints", () => {
  it("POST /webhooks/carrier: unsigned, badly signed, malformed and oversized callbacks are 4xx", async () => {
    const body = fc.oneof(junk.map((v) => JSON.stringify(v)), fc.string({ unit: "binary", maxLength: 200 }), fc.constant("{"));
    await fc.assert(
      fc.asyncProperty(body, fc.oneof(fc.constant(undefined), fc.string({ maxLength: 80 }), fc.constant("sha256=00")), async (text, signature) => {
        const res = await send(baseUrl, {
          method: "POST",
          path: "/webhooks/carrier",
          headers: { "content-type": "application/json", ...(signature === undefined ? {} : { [CARRIER_SIGNATURE_HEADER]: signature }) },
          body: text,
        });
        expectRejected(`webhook ${text.slice(0, 80)} sig=${signature}`, res);
      }),
      { numRuns: RUNS * 5 },
    );
    // Correctly signed but malformed: the body's problem is named, still a 4xx.
    await fc.assert(
      fc.asyncProperty(junk, async (value) => {
        const text = JSON.stringify(value) ?? "null";
        const signature = createHmac("sha256", WEBHOOK_SECRET).update(text).digest("hex");
        const variants = [signature, `sha256=${signature}`];
        for (const sig of variants) {
          const res = await send(baseUrl, { method: "POST", path: "/webhooks/carrier", headers: { "content-type": "application/json", [CARRIER_SIGNATURE_HEADER]: sig }, body: text });
          expectClientSafe(`signed webhook ${text.slice(0, 80)}`, res);
        }
      }),
      { numRuns: RUNS * 2 },
    );
    const huge = await send(baseUrl, { method: "POST", path: "/webhooks/carrier", headers: { "content-type": "application/json" }, body: "x".repeat(200_000) });
    expect(huge.status).toBe(413);
    expectRejected("GET webhook", await send(baseUrl, { method: "GET", path: "/webhooks/carrier" }));
  });

  it("probes and unknown paths never answer 5xx", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics"]) {
      expect((await send(baseUrl, { method: "GET", path })).status).toBe(200);
      expectClientSafe(`POST ${path}`, await send(baseUrl, { method: "POST", path, body: "x" }));
    }
    const pathArb = fc.oneof(
      fc.webPath(),
      fc.string({ maxLength: 60 }).map((s) => `/${encodeURIComponent(s)}`),
      fc.constantFrom("/trpc", "/trpc/", "/trpc?x=1", "/trpc/..%2f..%2fetc%2fpasswd", "/%2e%2e/", "/trpc/a,b,c", "/trpc/catalog.list,catalog.get?batch=1&input=%7B%7D"),
    );
    await fc.assert(
      fc.asyncProperty(pathArb, fc.constantFrom("GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"), async (path, method) => {
        const p = path.startsWith("/") ? path : `/${path}`;
        expectClientSafe(`${method} ${p}`, await send(baseUrl, { method, path: p, ...(method === "GET" || method === "OPTIONS" ? {} : { body: "{}" }) }));
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it("a garbage bearer token is a 401 with a message, never anonymous access", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ minLength: 1, maxLength: 300 }), fc.base64String({ minLength: 10, maxLength: 300 })), async (token) => {
        const res = await send(baseUrl, { method: "GET", path: "/trpc/cart.view", headers: { authorization: `Bearer ${token.replace(/[\r\n]/g, "")}` } });
        expectRejected("garbage token", res);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe("afterwards", () => {
  it("the database is unchanged", async () => {
    expect(await databaseChecksum(api.database.url)).toBe(checksumBefore);
  });

  it("no circuit breaker opened, and a sign-in still reaches the auth service", async () => {
    expect(breakers()).toEqual({ auth: "closed", inventory: "closed" });
    const res = await send(baseUrl, trpcRequest({ path: "auth.login", type: "mutation" } as ProcedureInfo, "anonymous", { json: { email: "nobody@example.test", password: "whatever-1" } }));
    expect(res.status, res.text).toBe(401);
  });
});
