// PostgreSQL going away under load, as the API sees a restart: every API connection goes through a
// TCP proxy this test controls; the proxy is cut (open connections reset, new ones refused) while
// catalog reads and checkouts run, then restored. The machine's PostgreSQL itself is never touched
// (other tests use it). Requests must fail promptly with a clear error, recover once the database
// is back, and no partial order may exist (every order has its lines, payment and outbox event).
import { randomUUID } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, type Db } from "~/lib/db";
import { createMetricsRegistry } from "~/lib/metrics";
import { createApiServer, type ApiServer } from "~/server/http/server";
import type { AuthUser } from "~/server/trpc/context";
import { startTestApi, type TestApi } from "../helpers/api.ts";
import { createSellerUser, createStockedProduct, createUser } from "../helpers/fixtures.ts";
import { errorMessage, send } from "../fuzz/http.ts";
import { CALL_TIMEOUT_MS, waitFor } from "../helpers/wait.ts";

interface Proxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A TCP proxy to target; cut() resets every open connection and refuses new ones until restore(). */
async function startProxy(targetHost: string, targetPort: number): Promise<Proxy> {
  let up = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!up) return client.resetAndDestroy();
    const upstream = net.connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      up = false;
      for (const s of sockets) s.resetAndDestroy();
    },
    restore() {
      up = true;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let api: TestApi;
let proxy: Proxy;
let proxiedDb: Db;
let server: ApiServer;
let base: string;
/** One buyer per checkout loop: loops sharing a cart would empty it under each other (a 400, not an outage). */
const buyers = new Map<string, AuthUser>();
let productId: string;

beforeAll(async () => {
  api = await startTestApi();
  const target = new URL(api.database.url);
  proxy = await startProxy(target.hostname, Number(target.port || 5432));
  const proxiedUrl = new URL(api.database.url);
  proxiedUrl.port = String(proxy.port);
  proxiedDb = createDb(proxiedUrl.toString(), { maxConnections: 5 });
  const seller = await createSellerUser(api.database.db);
  productId = (await createStockedProduct(api.deps, seller.sellerId, 100_000)).id;
  for (const name of ["main", "loop1", "loop3", "loop5"]) buyers.set(name, await createUser(api.database.db, "buyer"));
  server = createApiServer({
    deps: { ...api.deps, db: proxiedDb },
    registry: createMetricsRegistry("pg-outage"),
    maxBodyBytes: 100_000,
    authenticate: async (req) => buyers.get(String(req.headers["x-test-user"])) ?? null,
  });
  await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  await server?.shutdown(1_000);
  await proxiedDb?.$disconnect();
  await proxy?.close();
  await api?.close();
});

const list = () => send(base, { method: "GET", path: `/trpc/catalog.list?input=${encodeURIComponent(JSON.stringify({ json: { limit: 10 } }))}` });
const post = (procedure: string, input: unknown, buyer: string) =>
  send(base, { method: "POST", path: `/trpc/${procedure}`, headers: { "content-type": "application/json", "x-test-user": buyer }, body: JSON.stringify({ json: input }) });
/** Add to cart, then place the order; a failed add is the result (the place would only say "empty cart"). */
const checkout = async (buyer = "main") => {
  const added = await post("cart.add", { productId, quantity: 1 }, buyer);
  if (added.status !== 200) return added;
  return post("checkout.place", {
    idempotencyKey: randomUUID(),
    shippingAddress: { name: "Outage Buyer", line1: "1 Failover Road", city: "Tallinn", postalCode: "10111", country: "EE" },
  }, buyer);
};

it("database cut under load: prompt clear errors, recovery, no partial order", async () => {
  expect((await list()).status).toBe(200);
  expect((await checkout()).status).toBe(200);

  type Result = { phase: "before" | "during" | "after"; status: number; message: string };
  const results: Result[] = [];
  let phase: Result["phase"] = "before";
  let stop = false;
  const loops = Array.from({ length: 6 }, async (_, i) => {
    while (!stop) {
      const at = phase;
      // A hang shows up as this timing out (the outcome is what is asserted, not the time).
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`request hung for ${CALL_TIMEOUT_MS / 1000} s`)), CALL_TIMEOUT_MS)));
      const res = await Promise.race([i % 2 === 0 ? list() : checkout(`loop${i}`), hung]).finally(() => clearTimeout(timer));
      results.push({ phase: at, status: res.status, message: errorMessage(res.text) });
    }
  });
  // Traffic first, then the outage.
  await waitFor(() => results.length >= 6, { describe: "requests before the outage" });
  proxy.cut();
  phase = "during";
  // Enough outage for every loop to meet it.
  await waitFor(() => results.filter((r) => r.phase === "during").length >= 12, { describe: "requests during the outage" });
  proxy.restore();
  phase = "after";
  // Recovery: reads and checkouts succeed again once the database is back.
  await waitFor(async () => (await list()).status === 200 && (await checkout()).status === 200, { describe: "reads and checkouts to succeed again" });
  stop = true;
  await Promise.all(loops);

  const failures = results.filter((r) => r.status !== 200);
  expect(failures.length).toBeGreaterThan(0);
  for (const f of failures) {
    // The service is unavailable (retry later), not broken: a 503, never a validation-looking 4xx or a 500.
    expect(f.status, JSON.stringify(f)).toBe(503);
    // Said plainly, without Prisma's quote of our source (file paths, code) that it used to carry.
    expect(f.message, JSON.stringify(f)).toMatch(/database is unavailable/);
    expect(f.message, JSON.stringify(f)).not.toMatch(/src\/|invocation|prisma/i);
  }

  // No partial order: each order has lines adding up to its subtotal, its payment and its event.
  const orders = await api.database.db.order.findMany({
    select: { id: true, subtotalMinor: true, lines: { select: { lineTotalMinor: true } } },
  });
  expect(orders.length).toBeGreaterThan(1);
  for (const order of orders) {
    expect(order.lines.length).toBeGreaterThan(0);
    expect(order.lines.reduce((s, l) => s + l.lineTotalMinor, 0n)).toBe(order.subtotalMinor);
    expect(await api.database.db.payment.count({ where: { orderId: order.id } })).toBe(1);
    expect(await api.database.db.outboxEvent.count({ where: { aggregateId: order.id, type: "order.placed" } })).toBe(1);
  }
});
