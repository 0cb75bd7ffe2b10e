import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { CALL_TIMEOUT_MS, testClock } from "../../tests/helpers/wait";
import { toDomainError } from "../../src/core/integrations/errors";
import { toTRPCError } from "../../src/server/trpc/middleware/errors";

/** How the API answers a failed call: the core's meaning of it, then its tRPC code. */
const asApiError = (err: unknown) => toTRPCError(toDomainError(err)) as { code: string; message: string };
import { createPaymentClient, type PaymentClient } from "../../src/core/integrations/payment";
import { SERVICE_TOKEN, testLogger } from "../testing";
import { startPaymentService, type RunningPaymentService } from "./server";

let database: TestDatabase;
let gateway: RunningPaymentService;

beforeAll(async () => {
  database = await createTestDatabase({ maxConnections: 1 });
  gateway = await startPaymentService({ databaseUrl: database.url, port: 0, serviceToken: SERVICE_TOKEN });
});

afterAll(async () => {
  await gateway?.close();
  await database?.drop();
});

beforeEach(() => {
  gateway.setFailureModes({ down: false, failNext: 0, failRate: 0, latencyMs: 0, declineCardsEndingWith: [] });
});

const client = (overrides: Partial<Parameters<typeof createPaymentClient>[0]> = {}): PaymentClient =>
  createPaymentClient({
    baseUrl: gateway.url,
    serviceToken: SERVICE_TOKEN,
    logger: testLogger("payment-client"),
    timeoutMs: CALL_TIMEOUT_MS,
    retry: { limit: 2, baseDelayMs: 10, maxDelayMs: 50 },
    ...overrides,
  });

const card = { type: "card" as const, token: "tok_visa_4242" };

describe("payment gateway", () => {
  it("authorizes, captures and refunds in minor units", async () => {
    const payments = client();
    const reference = `order-${randomUUID()}`;
    const p = await payments.authorize({ amount: 2599, currency: "EUR", reference, paymentMethod: card, idempotencyKey: randomUUID() });
    expect(p).toMatchObject({ status: "authorized", amount: 2599, currency: "EUR", capturedAmount: 0, declineReason: null });
    const captured = await payments.capture(p.id, { idempotencyKey: randomUUID() });
    expect(captured).toMatchObject({ status: "captured", capturedAmount: 2599 });
    const partial = await payments.refund(p.id, { amount: 599, idempotencyKey: randomUUID(), reason: "damaged" });
    expect(partial.payment).toMatchObject({ status: "partially_refunded", refundedAmount: 599 });
    expect(partial.refund).toMatchObject({ amount: 599, currency: "EUR", reason: "damaged" });
    await expect(payments.refund(p.id, { amount: 2001, idempotencyKey: randomUUID() })).rejects.toMatchObject({
      kind: "rejected",
      status: 409,
      code: "refund_exceeds_captured",
    });
    const full = await payments.refund(p.id, { amount: 2000, idempotencyKey: randomUUID() });
    expect(full.payment.status).toBe("refunded");
    expect(await payments.findByReference(reference)).toHaveLength(1);
    expect(await payments.getPayment("pay_missing")).toBeNull();
  });

  it("takes amounts above 2^31 minor units (IDR, VND, KRW) up to 2^53 - 1, and refuses what JSON cannot carry exactly", async () => {
    const payments = client();
    const big = await payments.authorize({ amount: 3_000_000_000, currency: "VND", reference: `order-${randomUUID()}`, paymentMethod: card, idempotencyKey: randomUUID() });
    expect(big).toMatchObject({ status: "authorized", amount: 3_000_000_000, currency: "VND" });
    expect(await payments.capture(big.id, { idempotencyKey: randomUUID() })).toMatchObject({ status: "captured", capturedAmount: 3_000_000_000 });
    const refund = await payments.refund(big.id, { amount: 2_500_000_000, idempotencyKey: randomUUID() });
    expect(refund).toMatchObject({ refund: { amount: 2_500_000_000 }, payment: { status: "partially_refunded", refundedAmount: 2_500_000_000 } });
    expect(await payments.getPayment(big.id)).toMatchObject({ amount: 3_000_000_000, capturedAmount: 3_000_000_000, refundedAmount: 2_500_000_000 });
    const largest = await payments.authorize({ amount: Number.MAX_SAFE_INTEGER, currency: "IDR", reference: "o-max", paymentMethod: card, idempotencyKey: randomUUID() });
    expect(largest.amount).toBe(Number.MAX_SAFE_INTEGER);
    await expect(
      payments.authorize({ amount: Number.MAX_SAFE_INTEGER + 1, currency: "IDR", reference: "o-too-big", paymentMethod: card, idempotencyKey: randomUUID() }),
    ).rejects.toMatchObject({ kind: "rejected", status: 400 });
  });

  it("declines amounts ending in 13 minor units and configured card endings", async () => {
    const payments = client();
    const declined = await payments.authorize({
      amount: 10013,
      currency: "EUR",
      reference: "o-1",
      paymentMethod: card,
      idempotencyKey: randomUUID(),
    });
    expect(declined).toMatchObject({ status: "declined", declineReason: "card_declined" });
    await expect(payments.capture(declined.id, { idempotencyKey: randomUUID() })).rejects.toMatchObject({ status: 409, code: "invalid_state" });

    gateway.setFailureModes({ declineCardsEndingWith: ["0002"] });
    const byCard = await payments.authorize({
      amount: 500,
      currency: "EUR",
      reference: "o-2",
      paymentMethod: { type: "card", token: "tok_4000000000000002" },
      idempotencyKey: randomUUID(),
    });
    expect(byCard.status).toBe("declined");
  });

  it("charges once per idempotency key, even under concurrent retries", async () => {
    const payments = client();
    const key = randomUUID();
    const input = { amount: 1000, currency: "USD", reference: `o-${key}`, paymentMethod: card, idempotencyKey: key };
    const results = await Promise.all(Array.from({ length: 5 }, () => payments.authorize(input)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await payments.findByReference(input.reference)).toHaveLength(1);
    await expect(payments.authorize({ ...input, amount: 2000 })).rejects.toMatchObject({ status: 422, code: "idempotency_key_reused" });
  });

  it("retries keyed calls through transient 500s", async () => {
    const payments = client();
    gateway.setFailureModes({ failNext: 2 });
    const p = await payments.authorize({ amount: 700, currency: "EUR", reference: "o-r", paymentMethod: card, idempotencyKey: randomUUID() });
    expect(p.status).toBe("authorized");
  });

  it("reports a timeout when the gateway is slower than the call timeout", async () => {
    const payments = client({ timeoutMs: 100, retry: { limit: 0 } });
    // Held until the client has given up, however slow the machine: slower than any timeout.
    const held = gateway.holdNext(1);
    const err = await payments.getPayment("pay_x").catch((e: unknown) => e);
    held.release();
    expect(err).toMatchObject({ service: "payment", kind: "timeout" });
    expect(asApiError(err).code).toBe("GATEWAY_TIMEOUT");
  });

  it("opens the circuit after repeated outages and half-opens later", async () => {
    const transitions: string[] = [];
    // The open period runs on the test's clock: a slow call cannot make it lapse early.
    const clock = testClock();
    const payments = client({
      retry: { limit: 0 },
      breaker: { failureThreshold: 3, resetTimeoutMs: 300, now: clock.millis, onStateChange: (_from, to) => transitions.push(to) },
    });
    gateway.setFailureModes({ down: true });
    for (let i = 0; i < 3; i += 1) {
      await expect(payments.getPayment("pay_x")).rejects.toMatchObject({ kind: "unavailable", status: 503 });
    }
    expect(payments.http.breaker.state).toBe("open");
    const fast = await payments.getPayment("pay_x").catch((e: unknown) => e);
    expect(fast).toMatchObject({ service: "payment", kind: "circuit_open" });
    expect(asApiError(fast).code).toBe("SERVICE_UNAVAILABLE");

    clock.advance(350);
    expect(payments.http.breaker.state).toBe("half_open");
    // A failed trial opens it again at once.
    await expect(payments.getPayment("pay_x")).rejects.toMatchObject({ kind: "unavailable" });
    expect(payments.http.breaker.state).toBe("open");

    gateway.setFailureModes({ down: false });
    clock.advance(350);
    expect(await payments.getPayment("pay_x")).toBeNull(); // the trial succeeds: 404 means the gateway is up
    expect(payments.http.breaker.state).toBe("closed");
    expect(transitions).toEqual(["open", "half_open", "open", "half_open", "closed"]);
  });

  it("exposes the failure modes over HTTP", async () => {
    const res = await fetch(`${gateway.url}/_control`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-service-token": SERVICE_TOKEN },
      body: JSON.stringify({ down: true, latencyMs: 5 }),
    });
    expect(await res.json()).toMatchObject({ down: true, latencyMs: 5 });
    const down = await fetch(`${gateway.url}/v1/payments/x`, { headers: { "x-service-token": SERVICE_TOKEN } });
    expect(down.status).toBe(503);
  });
});
