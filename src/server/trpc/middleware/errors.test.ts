// A database outage through the real HTTP server: 503 with a plain message, no stack, nothing of
// our internals; the cause reaches the logs. Other errors pass through the middleware unchanged.
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { TRPCError } from "@trpc/server";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDb, type Db } from "~/lib/db";
import { createMetricsRegistry } from "~/lib/metrics";
import { createApiServer, type ApiServer } from "~/server/http/server";
import { createContextInner, type AuthUser } from "~/server/trpc/context";
import { createCallerFactory, publicProcedure, router } from "~/server/trpc/init";
import { startTestApi, type TestApi } from "../../../../tests/helpers/api.ts";
import { createSellerUser, createStockedProduct, createUser } from "../../../../tests/helpers/fixtures.ts";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "~/lib/db-errors";

let api: TestApi;
let unreachable: Db;
let server: ApiServer;
let base: string;
let buyer: AuthUser;
let productId: string;
const logs: Array<{ level: number; msg: string; err?: { message?: string } }> = [];

beforeAll(async () => {
  api = await startTestApi();
  buyer = await createUser(api.deps.db);
  productId = (await createStockedProduct(api.deps, (await createSellerUser(api.deps.db)).sellerId, 5)).id;
  // Port 1: nothing listens, every connection is refused.
  unreachable = createDb("postgresql://postgres@127.0.0.1:1/lavka", { maxConnections: 2 });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString("utf8")) as (typeof logs)[number]);
      done();
    },
  });
  server = createApiServer({
    deps: { ...api.deps, db: unreachable, logger: pino({ level: "warn" }, sink) },
    registry: createMetricsRegistry("db-unavailable"),
    maxBodyBytes: 100_000,
    authenticate: async (req) => {
      // Signing a user in can need the database too (their row is written on first sight).
      if (req.headers["x-test-user"] === "new") await unreachable.user.findFirst({ select: { id: true } });
      return req.headers["x-test-user"] ? buyer : null;
    },
  });
  await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await server?.shutdown(1_000);
  await unreachable?.$disconnect();
  await api?.close();
});

async function call(method: "GET" | "POST", procedure: string, input: unknown, user?: string) {
  const headers: Record<string, string> = { ...(user ? { "x-test-user": user } : {}), ...(method === "POST" ? { "content-type": "application/json" } : {}) };
  const json = encodeURIComponent(JSON.stringify({ json: input }));
  const res = await fetch(method === "GET" ? `${base}/trpc/${procedure}?input=${json}` : `${base}/trpc/${procedure}`, {
    method,
    headers,
    body: method === "POST" ? JSON.stringify({ json: input }) : undefined,
  });
  return { status: res.status, text: await res.text() };
}

describe("database unreachable, over HTTP", () => {
  const address = { name: "Ada", line1: "1 Road", city: "Tallinn", postalCode: "10111", country: "EE" };
  test.each([
    ["catalog.list (raw SQL)", () => call("GET", "catalog.list", { limit: 5 })],
    ["catalog.get", () => call("GET", "catalog.get", { id: productId })],
    ["cart.view (Prisma query)", () => call("GET", "cart.view", undefined, "buyer")],
    ["cart.add (raw SQL)", () => call("POST", "cart.add", { productId, quantity: 1 }, "buyer")],
    ["checkout.place (transaction path)", () => call("POST", "checkout.place", { idempotencyKey: "outage-1", shippingAddress: address }, "buyer")],
    ["authentication that needs the database", () => call("GET", "cart.view", undefined, "new")],
  ])("%s: 503 with a plain message, no stack, no internals", async (_name, request) => {
    const { status, text } = await request();
    expect(status, text).toBe(503);
    const body = JSON.parse(text) as { error: { json: { message: string; data: Record<string, unknown> } } };
    expect(body.error.json.message).toBe(DATABASE_UNAVAILABLE_MESSAGE);
    expect(body.error.json.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503 });
    expect(body.error.json.data).not.toHaveProperty("stack");
    expect(text).not.toMatch(/stack|src\/|\.ts\b|invocation|prisma|127\.0\.0\.1|ECONNREFUSED|P1001|P2010|DatabaseNotReachable/i);
  });

  test("the cause stays in the server's log", async () => {
    logs.length = 0;
    await call("GET", "catalog.list", { limit: 5 });
    expect(logs).toContainEqual(expect.objectContaining({ msg: "procedure unavailable", err: expect.objectContaining({ message: expect.stringMatching(/Can't reach database server/) }) }));
  });
});

describe("other errors pass through unchanged", () => {
  const prismaUnique = Object.assign(new Error("Unique constraint failed on the fields: (`email`)"), {
    name: "PrismaClientKnownRequestError",
    code: "P2002",
  });
  // An HTTP client's refused connection is another service being down, not the database.
  const fetchFailed = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8080"), { code: "ECONNREFUSED" }) });
  const databaseDown = Object.assign(new Error("\nInvalid `prisma.$queryRaw()` invocation:\n\nRaw query failed."), {
    name: "PrismaClientKnownRequestError",
    code: "P2010",
    meta: { driverAdapterError: { name: "DriverAdapterError", cause: { kind: "DatabaseNotReachable", host: "db", port: 5432 } } },
  });
  const testRouter = router({
    fail: publicProcedure.query(({ ctx }) => {
      throw (ctx as unknown as { toThrow: unknown }).toThrow;
    }),
  });
  const callWith = (toThrow: unknown) => createCallerFactory(testRouter)({ ...createContextInner(api.deps, null), toThrow } as never).fail();

  test("classification", () => {
    expect(isDatabaseUnavailable(databaseDown)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { name: "PrismaClientKnownRequestError", code: "P2024" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("terminating connection due to administrator command"), { severity: "FATAL", code: "57P01" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(prismaUnique)).toBe(false);
    expect(isDatabaseUnavailable(fetchFailed)).toBe(false);
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
  });

  test("a database outage becomes SERVICE_UNAVAILABLE keeping its cause", async () => {
    await expect(callWith(databaseDown)).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNAVAILABLE_MESSAGE, cause: databaseDown });
  });

  test("unexpected errors stay INTERNAL_SERVER_ERROR, deliberate ones keep their code", async () => {
    await expect(callWith(prismaUnique)).rejects.toMatchObject({ code: "INTERNAL_SERVER_ERROR", cause: prismaUnique });
    await expect(callWith(fetchFailed)).rejects.toMatchObject({ code: "INTERNAL_SERVER_ERROR", cause: fetchFailed });
    const deliberate = new TRPCError({ code: "NOT_FOUND", message: "productId: no such product.", cause: databaseDown });
    await expect(callWith(deliberate)).rejects.toBe(deliberate);
  });
});
