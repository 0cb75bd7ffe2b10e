import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { CALL_TIMEOUT_MS, waitFor } from "../../tests/helpers/wait";
import {
  carrierCallbackSchema,
  createCarrierClient,
  signCarrierPayload,
  verifyCarrierSignature,
  type CarrierClient,
  type CreateShipmentInput,
} from "../../src/core/integrations/carrier";
import { SERVICE_TOKEN, testLogger } from "../testing";
import { startCarrierService, type RunningCarrierService } from "./server";

const SECRET = "callback-secret-for-tests";

interface Received {
  raw: string;
  signature: string | undefined;
  eventId: string | undefined;
}

/** Stands in for Lavka's callback endpoint; `failNext` answers 500 to test redelivery. */
let received: Received[] = [];
let failNext = 0;
let listener: Server;
let callbackUrl: string;

let database: TestDatabase;
let carrier: RunningCarrierService;
let client: CarrierClient;

beforeAll(async () => {
  listener = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (failNext > 0) {
        failNext -= 1;
        res.writeHead(500).end();
        return;
      }
      received.push({
        raw: Buffer.concat(chunks).toString("utf8"),
        signature: req.headers["x-lavka-signature"] as string | undefined,
        eventId: req.headers["x-lavka-event-id"] as string | undefined,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  callbackUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/callbacks/carrier`;

  database = await createTestDatabase({ maxConnections: 1 });
  carrier = await startCarrierService({
    databaseUrl: database.url,
    port: 0,
    serviceToken: SERVICE_TOKEN,
    callbackUrl,
    callbackSecret: SECRET,
    callbackRetryBaseMs: 50,
    callbackTimeoutMs: CALL_TIMEOUT_MS,
  });
  client = createCarrierClient({ baseUrl: carrier.url, serviceToken: SERVICE_TOKEN, logger: testLogger("carrier-client"), timeoutMs: CALL_TIMEOUT_MS });
});

afterAll(async () => {
  await carrier?.close();
  await database?.drop();
  listener?.closeAllConnections();
  await new Promise((r) => listener?.close(r));
});

const input = (): CreateShipmentInput => ({
  orderRef: `order-${randomUUID()}`,
  recipient: { name: "Ann Buyer", line1: "1 Main St", city: "Tallinn", postalCode: "10111", country: "EE" },
  parcels: [{ weightGrams: 1200 }],
  idempotencyKey: randomUUID(),
});

describe("carrier", () => {
  it("creates a shipment once per idempotency key", async () => {
    const req = input();
    const [a, b] = await Promise.all([client.createShipment(req), client.createShipment(req)]);
    expect(a.carrierRef).toBe(b.carrierRef);
    expect(a).toMatchObject({ status: "created", orderRef: req.orderRef, trackingNumber: expect.stringMatching(/^LV\d{12}$/) });
    await expect(client.createShipment({ ...req, orderRef: "other" })).rejects.toMatchObject({
      status: 422,
      code: "idempotency_key_reused",
    });
    expect(await client.getShipment(a.carrierRef)).toMatchObject({ carrierRef: a.carrierRef });
    expect(await client.getShipment("CR-NOPE")).toBeNull();
    expect(await client.getTracking("LV0")).toBeNull();
  });

  it("calls back with signed status changes through to delivered", async () => {
    received = [];
    const shipment = await client.createShipment(input());
    for (const step of ["in_transit", "out_for_delivery", "delivered"]) {
      const result = await carrier.advance(shipment.carrierRef);
      expect(result).toMatchObject({ status: step, callbackDelivered: true });
    }
    await expect(carrier.advance(shipment.carrierRef)).rejects.toMatchObject({ status: 409, code: "already_delivered" });

    const mine = await waitFor(
      () => {
        const list = received.filter((r) => r.raw.includes(shipment.carrierRef));
        return list.length === 4 ? list : undefined;
      },
      { describe: "four callbacks" },
    );
    const callbacks = mine.map((r) => {
      expect(verifyCarrierSignature(r.raw, r.signature, SECRET)).toBe(true);
      const body = carrierCallbackSchema.parse(JSON.parse(r.raw));
      expect(r.eventId).toBe(body.eventId);
      return body;
    });
    expect(callbacks.map((c) => c.status).sort()).toEqual(["created", "delivered", "in_transit", "out_for_delivery"].sort());

    const tracking = await client.getTracking(shipment.trackingNumber);
    expect(tracking?.status).toBe("delivered");
    expect(tracking?.events.map((e) => e.status)).toEqual(["created", "in_transit", "out_for_delivery", "delivered"]);
    expect(new Set(tracking?.events.map((e) => e.id))).toEqual(new Set(callbacks.map((c) => c.eventId)));
  });

  it("rejects tampered bodies, wrong secrets and malformed signature headers", () => {
    const raw = JSON.stringify({ eventId: "evt_1", status: "delivered" });
    const signature = signCarrierPayload(raw, SECRET);
    expect(verifyCarrierSignature(raw, signature, SECRET)).toBe(true);
    expect(verifyCarrierSignature(Buffer.from(raw), signature, SECRET)).toBe(true);
    expect(verifyCarrierSignature(raw.replace("delivered", "in_transit"), signature, SECRET)).toBe(false);
    expect(verifyCarrierSignature(raw, signature, "other-secret")).toBe(false);
    expect(verifyCarrierSignature(raw, signature.replace("sha256=", ""), SECRET)).toBe(false);
    const flipped = signature.slice(0, -1) + (signature.endsWith("0") ? "1" : "0");
    expect(verifyCarrierSignature(raw, flipped, SECRET)).toBe(false);
    expect(verifyCarrierSignature(raw, "sha256=abc", SECRET)).toBe(false);
    expect(verifyCarrierSignature(raw, undefined, SECRET)).toBe(false);
    expect(verifyCarrierSignature(raw, signature, "")).toBe(false);
  });

  it("redelivers a callback the receiver failed to accept", async () => {
    received = [];
    const shipment = await client.createShipment(input());
    await waitFor(() => received.find((r) => r.raw.includes(shipment.carrierRef)), { describe: "the created callback" });
    failNext = 1;
    const result = await carrier.advance(shipment.carrierRef);
    expect(result.callbackDelivered).toBe(false);
    const redelivered = await waitFor(() => received.find((r) => r.eventId === result.eventId), { describe: "the redelivered callback" });
    expect(verifyCarrierSignature(redelivered.raw, redelivered.signature, SECRET)).toBe(true);
  });

  it("advances shipments on its own when auto-advance is on", async () => {
    const auto = await startCarrierService({ databaseUrl: database.url, port: 0, serviceToken: SERVICE_TOKEN, autoAdvanceMs: 50 });
    try {
      const c = createCarrierClient({ baseUrl: auto.url, serviceToken: SERVICE_TOKEN, logger: testLogger("carrier-auto"), timeoutMs: CALL_TIMEOUT_MS });
      const shipment = await c.createShipment(input());
      await waitFor(async () => (await c.getShipment(shipment.carrierRef))?.status === "delivered", { describe: "the carrier to deliver the shipment on its own" });
    } finally {
      await auto.close();
    }
  });
});
