// An external service slow, then down, then back, through the API over HTTP: the inventory
// service behind a TCP proxy this test controls. Expected: reads degrade (product shown,
// availability unknown), checkout says clearly that stock cannot be reserved, the circuit opens
// (no more calls reach the service while it is open), and everything recovers once the service
// is back and the breaker's trial call succeeds. Other outages are covered where they live: see
// docs/reliability.md (auth, payment gateway, RabbitMQ).
import { randomUUID } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLogger } from "~/lib/logger";
import { createMetricsRegistry } from "~/lib/metrics";
import { CircuitBreaker } from "~/core/integrations/breaker";
import { createInventoryClient } from "~/core/integrations/inventory";
import { createAvailabilityReader } from "~/core/domain/catalog/availability";
import { createApiServer, type ApiServer } from "~/server/http/server";
import type { AuthUser } from "~/server/trpc/context";
import { startTestApi, TEST_SERVICE_TOKEN, type TestApi } from "../helpers/api.ts";
import { createSellerUser, createStockedProduct, createUser } from "../helpers/fixtures.ts";
import { errorMessage, send } from "../fuzz/http.ts";
import { CALL_TIMEOUT_MS } from "../helpers/wait.ts";

type Mode = "up" | "hang" | "down";

/** TCP proxy: "hang" accepts and forwards nothing (a stuck service), "down" resets connections. */
async function startProxy(target: URL) {
  let mode: Mode = "up";
  let requestsSeen = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    if (mode === "down") return client.resetAndDestroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    upstream.on("error", () => client.destroy());
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    client.on("data", (chunk: Buffer) => {
      requestsSeen += 1;
      if (mode === "up") upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (mode === "up") client.write(chunk);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    mode: () => mode,
    setMode(next: Mode) {
      mode = next;
      // Connections opened before keep their upstream; a change of mode starts from clean sockets.
      for (const s of sockets) s.destroy();
    },
    requestsSeen: () => requestsSeen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let api: TestApi;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let server: ApiServer;
let base: string;
let buyer: AuthUser;
let productId: string;
let clock = 1_000_000;

beforeAll(async () => {
  api = await startTestApi();
  proxy = await startProxy(new URL(api.inventoryService.url));
  // The breaker's clock is the test's, so "after the reset timeout" needs no waiting.
  const breaker = new CircuitBreaker({ failureThreshold: 3, resetTimeoutMs: 10_000, now: () => clock });
  const client = (timeoutMs: number) =>
    createInventoryClient({ baseUrl: proxy.url, serviceToken: TEST_SERVICE_TOKEN, logger: createLogger("inventory", "silent"), timeoutMs, retry: { limit: 0 }, breaker });
  // A hang is told from a slow answer only by the client's patience: short while the service
  // hangs, the test's budget otherwise (a busy machine is not an outage). One breaker for both.
  const patient = client(CALL_TIMEOUT_MS);
  const impatient = client(300);
  const inventory = new Proxy(patient, { get: (_target, key) => Reflect.get(proxy.mode() === "hang" ? impatient : patient, key) });
  const availability = createAvailabilityReader({ inventory, logger: createLogger("availability", "silent"), ttlMs: 0 });
  const seller = await createSellerUser(api.database.db);
  productId = (await createStockedProduct(api.deps, seller.sellerId, 1_000)).id;
  buyer = await createUser(api.database.db, "buyer");
  server = createApiServer({
    deps: { ...api.deps, inventory, availability },
    registry: createMetricsRegistry("ext"),
    maxBodyBytes: 100_000,
    authenticate: async (req) => (req.headers["x-test-user"] === "buyer" ? buyer : null),
  });
  await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  await server?.shutdown(1_000);
  await proxy?.close();
  await api?.close();
});

const detail = async () => {
  const res = await send(base, { method: "GET", path: `/trpc/catalog.get?input=${encodeURIComponent(JSON.stringify({ json: { id: productId } }))}` });
  expect(res.status).toBe(200);
  return (JSON.parse(res.text) as { result: { data: { json: { availability: { status: string } } } } }).result.data.json.availability.status;
};
const post = (procedure: string, input: unknown) =>
  send(base, { method: "POST", path: `/trpc/${procedure}`, headers: { "content-type": "application/json", "x-test-user": "buyer" }, body: JSON.stringify({ json: input }) });
const place = () =>
  post("checkout.place", {
    idempotencyKey: randomUUID(),
    shippingAddress: { name: "Slow Buyer", line1: "2 Timeout Lane", city: "Vilnius", postalCode: "01100", country: "LT" },
  });

it("inventory slow, then down, then back: degraded reads, clear checkout errors, open circuit, recovery", async () => {
  expect(await detail()).toBe("known");
  expect((await post("cart.add", { productId, quantity: 1 })).status).toBe(200);

  // Slow (hangs past the client's timeout): the product page still works.
  proxy.setMode("hang");
  for (let i = 0; i < 3; i += 1) expect(await detail()).toBe("unknown");
  // Three timeouts opened the circuit: further reads do not reach the service at all.
  const seen = proxy.requestsSeen();
  expect(await detail()).toBe("unknown");
  const checkout = await place();
  expect(checkout.status).toBe(503);
  expect(errorMessage(checkout.text)).toMatch(/inventory service is unavailable; no order was placed/i);
  expect(proxy.requestsSeen()).toBe(seen);
  expect(await api.database.db.order.count()).toBe(0);

  // Down (connections reset), after the open period: the trial call fails and it opens again.
  proxy.setMode("down");
  clock += 10_001;
  expect(await detail()).toBe("unknown");
  const downCheckout = await place();
  expect(downCheckout.status).toBeGreaterThanOrEqual(500);
  expect(errorMessage(downCheckout.text)).toMatch(/inventory service/i);

  // Back: after the open period the trial call succeeds and everything works again.
  proxy.setMode("up");
  clock += 10_001;
  expect(await detail()).toBe("known");
  const placed = await place();
  expect(placed.status, placed.text).toBe(200);
  expect(await api.database.db.order.count()).toBe(1);
});
