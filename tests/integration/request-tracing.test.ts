// One checkout followed across processes: the web's request (a span and an x-request-id sent to
// the API), the API's HTTP request and procedure, the outbox events, the payment and fulfilment
// consumers, and the calls they make to the gateway and the carrier. Spans are collected with the
// OpenTelemetry SDK's in-memory exporter; the calls' headers with a recording fetch; the access
// lines from the API's log.
import { Writable } from "node:stream";
import { randomUUID } from "node:crypto";
import { context, propagation, SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, type Db } from "~/lib/db";
import { createMetricsRegistry } from "~/lib/metrics";
import { startTracing, type Tracing } from "~/lib/tracing";
import { createCarrierClient } from "~/core/integrations/carrier";
import { createPaymentClient } from "~/core/integrations/payment";
import { createApiServer, type ApiServer } from "~/server/http/server";
import { startWorker, type WorkerHandle } from "~/processor/worker";
import { startCarrierService, type RunningCarrierService } from "../../reference/carrier/server.ts";
import { startPaymentService, type RunningPaymentService } from "../../reference/payment/server.ts";
import { send } from "../fuzz/http.ts";
import { startTestApi, TEST_SERVICE_TOKEN, type TestApi } from "../helpers/api.ts";
import { createSellerUser, createStockedProduct, createUser, fillCart, type TestUser } from "../helpers/fixtures.ts";
import { ADDRESS, pipelineConfig, testLogger } from "../helpers/pipeline.ts";
import { CALL_TIMEOUT_MS, waitFor } from "../helpers/wait.ts";

const exporter = new InMemorySpanExporter();
let tracing: Tracing | null;
let api: TestApi;
let server: ApiServer;
let base: string;
let gateway: RunningPaymentService;
let carrier: RunningCarrierService;
let workerDb: Db;
let worker: WorkerHandle;
let buyer: TestUser;
const apiLines: Record<string, unknown>[] = [];
const workerLines: Record<string, unknown>[] = [];
/** Headers of every call the worker made to the gateway and the carrier. */
const calls: { url: string; headers: Headers }[] = [];

function collecting(into: Record<string, unknown>[]) {
  const sink = new Writable({
    write(line: Buffer, _encoding, done) {
      into.push(JSON.parse(line.toString("utf8")) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: "info" }, sink);
}

const recordingFetch: typeof fetch = (input, init) => {
  const request = new Request(input, init);
  calls.push({ url: request.url, headers: request.headers });
  return fetch(request);
};

beforeAll(async () => {
  tracing = startTracing({ service: "lavka-test", exporter });
  api = await startTestApi();
  const url = api.database.url;
  [gateway, carrier] = await Promise.all([
    startPaymentService({ databaseUrl: url, port: 0, serviceToken: TEST_SERVICE_TOKEN, poolSize: 3 }),
    startCarrierService({ databaseUrl: url, port: 0, serviceToken: TEST_SERVICE_TOKEN, poolSize: 3 }),
  ]);
  buyer = await createUser(api.deps.db, "buyer");
  server = createApiServer({ deps: { ...api.deps, logger: collecting(apiLines) }, registry: createMetricsRegistry("trace"), maxBodyBytes: 100_000, authenticate: async () => buyer });
  await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  workerDb = createDb(url, { maxConnections: 6, busyTimeoutMs: CALL_TIMEOUT_MS });
  const logger = testLogger();
  worker = await startWorker({
    config: pipelineConfig(url),
    db: workerDb,
    logger: collecting(workerLines),
    clients: {
      payment: createPaymentClient({ baseUrl: gateway.url, serviceToken: TEST_SERVICE_TOKEN, logger, timeoutMs: CALL_TIMEOUT_MS, fetch: recordingFetch }),
      inventory: api.deps.inventory,
      carrier: createCarrierClient({ baseUrl: carrier.url, serviceToken: TEST_SERVICE_TOKEN, logger, timeoutMs: CALL_TIMEOUT_MS, fetch: recordingFetch }),
    },
    refreshSales: async () => ({ skipped: false, mode: "orders", days: 0, rows: 0 }),
  });
});

afterAll(async () => {
  await worker?.stop();
  await workerDb?.$disconnect();
  await server?.shutdown(1_000);
  await Promise.all([gateway?.close(), carrier?.close()]);
  await api?.close();
  await tracing?.shutdown();
});

it("one checkout is one trace and one request id, from the web's request to the shipment booking", async () => {
  const seller = await createSellerUser(api.deps.db);
  const product = await createStockedProduct(api.deps, seller.sellerId, 5);
  await fillCart(api.deps.db, buyer.id, [{ productId: product.id, quantity: 1 }]);

  // What the web server sends: its own span's trace context and the request id it assigned.
  const requestId = `web-${randomUUID()}`;
  const webSpan = trace.getTracer("test").startSpan("GET /checkout (web)", { kind: SpanKind.SERVER });
  const headers: Record<string, string> = { "content-type": "application/json", "x-request-id": requestId };
  propagation.inject(trace.setSpan(context.active(), webSpan), headers);
  const res = await send(base, { method: "POST", path: "/trpc/checkout.place", headers, body: JSON.stringify({ json: { idempotencyKey: randomUUID(), shippingAddress: ADDRESS } }) });
  webSpan.end();
  expect(res.status, res.text).toBe(200);
  expect(res.headers["x-request-id"]).toBe(requestId);
  const orderId = (JSON.parse(res.text) as { result: { data: { json: { id: string } } } }).result.data.json.id;

  const booking = await waitFor(() => calls.find((c) => new URL(c.url).pathname.endsWith("/shipments") && c.headers.get("x-request-id") === requestId));
  const traceId = webSpan.spanContext().traceId;
  // The booking call carries the request on: its id, and a trace context in the checkout's trace.
  expect(booking.headers.get("traceparent")).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  const gatewayCalls = calls.filter((c) => c.url.startsWith(gateway.url));
  expect(gatewayCalls.length).toBeGreaterThan(0);
  expect(gatewayCalls.every((c) => c.headers.get("x-request-id") === requestId)).toBe(true);
  // The events the checkout caused carry it in the outbox, and so do the ones the consumers wrote.
  const events = await api.deps.db.outboxEvent.findMany({ where: { aggregateId: orderId }, select: { type: true, headers: true } });
  expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["order.placed", "order.paid"]));
  for (const event of events) expect(event.headers, event.type).toMatchObject({ "x-request-id": requestId, traceparent: expect.stringContaining(traceId) });

  // The spans link up: from the carrier call, parent by parent, back to the web's span.
  const spans = await waitFor(
    () => {
      const all = exporter.getFinishedSpans();
      return all.some((s) => s.name === "carrier create a shipment") && all.some((s) => s.name === "consume fulfilment order.paid") ? all : undefined;
    },
  );
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const chainOf = (span: ReadableSpan) => {
    const names = [span.name];
    for (let parent = span.parentSpanContext; parent; parent = byId.get(parent.spanId)?.parentSpanContext) {
      names.push(byId.get(parent.spanId)?.name ?? (parent.spanId === webSpan.spanContext().spanId ? "GET /checkout (web)" : "?"));
    }
    return names;
  };
  const bookingSpan = spans.find((s) => s.name === "carrier create a shipment" && s.spanContext().traceId === traceId)!;
  expect(chainOf(bookingSpan)).toEqual([
    "carrier create a shipment",
    "consume fulfilment order.paid",
    "consume payments order.placed",
    "trpc checkout.place",
    "POST /trpc/checkout.place",
    "GET /checkout (web)",
  ]);
  expect(bookingSpan.kind).toBe(SpanKind.CLIENT);

  // One access line for the request, and one line per event a consumer handled, with the id.
  const access = apiLines.filter((l) => l.msg === "request" && l.requestId === requestId);
  expect(access).toEqual([expect.objectContaining({ method: "POST", route: "/trpc/checkout.place", status: 200, durationMs: expect.any(Number) })]);
  const handled = workerLines.filter((l) => l.msg === "event handled" && l.requestId === requestId);
  expect(handled).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ consumer: "payments", eventType: "order.placed", outcome: "done" }),
      expect.objectContaining({ consumer: "fulfilment", eventType: "order.paid", outcome: "done" }),
    ]),
  );
});

it("an incoming request id that is not a safe token is replaced by a fresh one", async () => {
  const res = await send(base, { method: "GET", path: "/trpc/catalog.categories", headers: { "x-request-id": "bad id\twith spaces" } });
  expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  const line = await waitFor(() => apiLines.find((l) => l.msg === "request" && l.requestId === res.headers["x-request-id"]));
  expect(line).toMatchObject({ method: "GET", route: "/trpc/catalog.categories", status: res.status });
});
