import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "~/lib/logger";
import { createAuthClient } from "./auth";
import { createInventoryClient } from "./inventory";
import { createPaymentClient } from "./payment";
import { ExternalServiceError, toDomainError } from "./errors";

const logger = createLogger("clients-test", "silent");
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A tiny server that answers whatever the test says; counts requests. */
async function stub(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    state.requests += 1;
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state };
}

/** A port nothing listens on: bind, read the port, close. */
async function deadPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

const fastRetry = { limit: 2, baseDelayMs: 5, maxDelayMs: 20 };

describe("response validation", () => {
  it("rejects a body that breaks the contract as invalid_response", async () => {
    const { url } = await stub((_req, res) => json(res, 200, { sku: "A", onHand: "lots", reserved: -1 }));
    const inventory = createInventoryClient({ baseUrl: url, serviceToken: "t", logger });
    const err = await inventory.getStock("A").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalServiceError);
    expect(err).toMatchObject({ service: "inventory", kind: "invalid_response", status: 200 });
    expect((err as Error).message).toContain("onHand");
    expect(toDomainError(err)).toMatchObject({ kind: "bad_gateway" });
  });

  it("rejects a body that is not JSON", async () => {
    const { url } = await stub((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<h1>hi</h1>"));
    const inventory = createInventoryClient({ baseUrl: url, serviceToken: "t", logger });
    await expect(inventory.getStock("A")).rejects.toMatchObject({ kind: "invalid_response", message: expect.stringContaining("not JSON") });
  });
});

describe("failure mapping", () => {
  it("maps connection refused to unavailable", async () => {
    const inventory = createInventoryClient({ baseUrl: await deadPort(), serviceToken: "t", logger, retry: fastRetry });
    const err = await inventory.getStock("A").catch((e: unknown) => e);
    expect(err).toMatchObject({ service: "inventory", kind: "unavailable" });
    expect((err as Error).message).toContain("ECONNREFUSED");
    expect(toDomainError(err)).toMatchObject({ kind: "unavailable", message: expect.stringContaining("inventory service") });
  });

  it("keeps the service's error code and message on a 4xx", async () => {
    const { url } = await stub((_req, res) =>
      json(res, 409, { error: { code: "insufficient_stock", message: "Only 2 of A available.", details: { shortages: [] } } }),
    );
    const inventory = createInventoryClient({ baseUrl: url, serviceToken: "t", logger });
    const err = await inventory.reserve({ lines: [{ sku: "A", quantity: 3 }], idempotencyKey: "k" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "rejected", status: 409, code: "insufficient_stock", message: "Only 2 of A available." });
    expect(toDomainError(err)).toMatchObject({ kind: "conflict", message: "Only 2 of A available." });
  });

  it("leaves an unknown error as it is: the API answers it as an internal error", () => {
    const boom = new Error("boom");
    expect(toDomainError(boom)).toBe(boom);
  });
});

describe("retries", () => {
  it("retries idempotent calls on 503 with backoff", async () => {
    const { url, state } = await stub((_req, res) =>
      state.requests < 3
        ? json(res, 503, { error: { code: "unavailable", message: "busy" } })
        : json(res, 200, { sku: "A", onHand: 1, reserved: 0, available: 1, updatedAt: new Date().toISOString() }),
    );
    const inventory = createInventoryClient({ baseUrl: url, serviceToken: "t", logger, retry: fastRetry });
    expect((await inventory.getStock("A"))?.available).toBe(1);
    expect(state.requests).toBe(3);
  });

  it("never retries a call without an idempotency key", async () => {
    const { url, state } = await stub((_req, res) => json(res, 503, { error: { code: "unavailable", message: "busy" } }));
    const inventory = createInventoryClient({ baseUrl: url, serviceToken: "t", logger, retry: fastRetry });
    await expect(inventory.adjustStock("A", 1)).rejects.toMatchObject({ kind: "unavailable", status: 503 });
    expect(state.requests).toBe(1);
    // The same call with a key is safe to repeat.
    await expect(inventory.adjustStock("A", 1, "key-1")).rejects.toMatchObject({ kind: "unavailable" });
    expect(state.requests).toBe(4);
  });

  it("sends the idempotency key and service token on keyed calls", async () => {
    const seen: Array<Record<string, unknown>> = [];
    const { url } = await stub((req, res) => {
      seen.push({ key: req.headers["idempotency-key"], token: req.headers["x-service-token"] });
      json(res, 500, { error: { code: "internal", message: "x" } });
    });
    const payments = createPaymentClient({ baseUrl: url, serviceToken: "secret-token", logger, retry: { limit: 1, baseDelayMs: 5 } });
    await expect(
      payments.authorize({ amount: 100, currency: "EUR", reference: "o", paymentMethod: { type: "card", token: "tok_1" }, idempotencyKey: "idem-1" }),
    ).rejects.toMatchObject({ kind: "unavailable" });
    expect(seen).toEqual([
      { key: "idem-1", token: "secret-token" },
      { key: "idem-1", token: "secret-token" },
    ]);
  });

  it("times out a slow call", async () => {
    const { url } = await stub((_req, res) => setTimeout(() => json(res, 200, {}), 500));
    const inventory = createInventoryClient({ baseUrl: url, serviceToken: "t", logger, timeoutMs: 50, retry: { limit: 0 } });
    await expect(inventory.getStock("A")).rejects.toMatchObject({ kind: "timeout" });
  });
});

describe("what counts against the circuit breaker", () => {
  const threshold = { failureThreshold: 3, resetTimeoutMs: 60_000 };

  it("the service's own faults (5xx) and broken connections count; 4xx answers never do", async () => {
    const { url } = await stub((req, res) =>
      req.url?.includes("bad") ? json(res, 400, { error: { code: "validation_failed", message: "sku: bad" } }) : json(res, 500, { error: { code: "internal", message: "x" } }),
    );
    const inventory = createInventoryClient({ baseUrl: url, serviceToken: "t", logger, retry: { limit: 0 }, breaker: threshold });
    for (let i = 0; i < 10; i += 1) await expect(inventory.adjustStock("bad", 1)).rejects.toMatchObject({ kind: "rejected", status: 400 });
    expect(inventory.http.breaker.state).toBe("closed");
    for (let i = 0; i < 3; i += 1) await expect(inventory.adjustStock("A", 1)).rejects.toMatchObject({ kind: "unavailable", status: 500 });
    expect(inventory.http.breaker.state).toBe("open");

    const down = createInventoryClient({ baseUrl: await deadPort(), serviceToken: "t", logger, retry: { limit: 0 }, breaker: threshold });
    for (let i = 0; i < 3; i += 1) await expect(down.adjustStock("A", 1)).rejects.toMatchObject({ kind: "unavailable" });
    expect(down.http.breaker.state).toBe("open");
  });

  it("a body holding NUL or a lone surrogate is never sent: no service can store it, and its 500 would count", async () => {
    const { url, state } = await stub((_req, res) => json(res, 500, { error: { code: "internal", message: "invalid byte sequence" } }));
    const auth = createAuthClient({ baseUrl: url, serviceToken: "t", logger, breaker: threshold });
    for (const displayName of ["Eve\u0000", "Eve\uD800", "\uDC00"]) {
      for (let i = 0; i < 3; i += 1) {
        const err = await auth.register({ email: "e@example.test", password: "long enough", displayName, role: "buyer" }).catch((e: unknown) => e);
        expect(err).not.toBeInstanceOf(ExternalServiceError);
        expect((err as Error).message).toMatch(/displayName/);
      }
    }
    expect(state.requests).toBe(0);
    expect(auth.http.breaker.state).toBe("closed");
  });

  it("a request Lavka cannot even build (a header with a line break) is not a transport failure", async () => {
    const { url, state } = await stub((_req, res) => res.writeHead(204).end());
    const auth = createAuthClient({ baseUrl: url, serviceToken: "t", logger, breaker: threshold });
    for (let i = 0; i < 5; i += 1) {
      const err = await auth.changePassword("token\nX-Injected: 1", { currentPassword: "a", newPassword: "b" }).catch((e: unknown) => e);
      expect(err).not.toMatchObject({ kind: "unavailable" });
    }
    expect(state.requests).toBe(0);
    expect(auth.http.breaker.state).toBe("closed");
  });
});
