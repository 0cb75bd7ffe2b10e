import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCarrierService, type RunningCarrierService } from "../../../reference/carrier/server";
import { startTestApi, TEST_SERVICE_TOKEN, type TestApi } from "../../../tests/helpers/api";
import { createAdminUser, createProduct, createSellerUser, createUser, type TestSeller } from "../../../tests/helpers/fixtures";
import { createOrder, type OrderableProduct } from "../../../tests/helpers/orders-fixtures";
import { CALL_TIMEOUT_MS } from "../../../tests/helpers/wait";
import type { Db } from "~/lib/db";
import { createMetricsRegistry } from "~/lib/metrics";
import { createCarrierClient, signCarrierPayload } from "~/core/integrations/carrier";
import { createApiServer, type ApiServer } from "~/server/http/server";
import type { AuthUser } from "~/core/domain/actor";

const SECRET = "carrier-webhook-secret-for-tests";

let api: TestApi;
let db: Db;
let server: ApiServer;
let baseUrl: string;
let buyer: AuthUser;
let seller: TestSeller;
let product: OrderableProduct;

beforeAll(async () => {
  api = await startTestApi();
  db = api.deps.db;
  server = createApiServer({ deps: api.deps, registry: createMetricsRegistry("webhook-test"), maxBodyBytes: 100_000, carrierWebhookSecret: SECRET });
  await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  baseUrl = `http://127.0.0.1:${address.port}`;
  buyer = await createUser(db, "buyer");
  seller = await createSellerUser(db);
  product = await createProduct(db, seller.sellerId);
});
afterAll(async () => {
  await server?.shutdown(1_000);
  await api?.close();
});

/** A paid order with the seller's shipment handed to the carrier (carrierRef set). */
async function shippedOrder(status: "created" | "in_transit" = "created") {
  const order = await createOrder(db, buyer.id, [{ product, quantity: 1 }], { status: "fulfilling" });
  const carrierRef = `CR-${randomUUID()}`;
  const shipment = await db.shipment.create({
    data: { orderId: order.id, sellerId: seller.sellerId, carrier: "reference", carrierRef, trackingNumber: `TN-${randomUUID().slice(0, 12)}`, status },
    select: { id: true, trackingNumber: true },
  });
  return { order, shipment, carrierRef };
}

function callback(carrierRef: string, overrides: Record<string, unknown> = {}) {
  return {
    eventId: `ev-${randomUUID()}`,
    carrierRef,
    trackingNumber: "TN-1",
    orderRef: "order",
    status: "in_transit",
    occurredAt: "2026-03-01T12:00:00.000Z",
    description: "Parcel left the depot",
    ...overrides,
  };
}

async function post(body: string, signature: string | null = signCarrierPayload(body, SECRET), path = "/webhooks/carrier") {
  const res = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature === null ? {} : { "x-lavka-signature": signature }) },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("delivery.shipment", () => {
  it("shows the shipment and its timeline to the buyer, the seller and admins only", async () => {
    const { order, shipment } = await shippedOrder();
    await db.trackingEvent.create({
      data: { shipmentId: shipment.id, externalId: "x1", status: "created", description: "Label created", occurredAt: new Date() },
    });
    await db.orderLine.updateMany({ where: { orderId: order.id }, data: { shipmentId: shipment.id } });

    const seen = await api.caller(buyer).delivery.shipment({ shipmentId: shipment.id });
    expect(seen).toMatchObject({ id: shipment.id, status: "created", order: { id: order.id, number: order.number }, seller: { id: seller.sellerId } });
    expect(seen.lines).toEqual([expect.objectContaining({ productId: product.id, quantity: 1 })]);
    expect(seen.events.map((e) => e.description)).toEqual(["Label created"]);
    expect(seen.order).not.toHaveProperty("buyerId");

    await expect(api.caller(seller).delivery.shipment({ shipmentId: shipment.id })).resolves.toMatchObject({ id: shipment.id });
    await expect(api.caller(await createAdminUser(db)).delivery.shipment({ shipmentId: shipment.id })).resolves.toMatchObject({ id: shipment.id });
    await expect(api.caller(await createUser(db, "buyer")).delivery.shipment({ shipmentId: shipment.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api.caller(await createSellerUser(db)).delivery.shipment({ shipmentId: shipment.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("POST /webhooks/carrier", () => {
  it("applies a signed callback once: a redelivery answers 200 and records nothing new", async () => {
    const { order, shipment, carrierRef } = await shippedOrder();
    const body = JSON.stringify(callback(carrierRef));
    const first = await post(body);
    expect(first).toEqual({ status: 200, body: expect.objectContaining({ status: "recorded" }) });
    const again = await post(body);
    expect(again).toEqual({ status: 200, body: expect.objectContaining({ status: "duplicate" }) });

    expect(await db.trackingEvent.count({ where: { shipmentId: shipment.id } })).toBe(1);
    const detail = await api.caller(buyer).orders.get({ orderId: order.id });
    expect(detail.shipments[0]).toMatchObject({ status: "in_transit", events: [expect.objectContaining({ description: "Parcel left the depot" })] });
  });

  it("answers 401 to a missing, wrong or re-signed-with-another-key signature, and changes nothing", async () => {
    const { shipment, carrierRef } = await shippedOrder();
    const body = JSON.stringify(callback(carrierRef));
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, signCarrierPayload(body, "another-secret-entirely"))).status).toBe(401);
    expect((await post(body, "sha256=zz")).status).toBe(401);
    // The signature covers the exact bytes: the same JSON re-serialised with a change is refused.
    expect((await post(body.replace("depot", "DEPOT"), signCarrierPayload(body, SECRET))).status).toBe(401);
    expect(await db.trackingEvent.count({ where: { shipmentId: shipment.id } })).toBe(0);
  });

  it("answers 400 naming the problem for malformed bodies, 413 for huge ones, 404 for unknown shipments", async () => {
    const notJson = await post("{not json");
    expect(notJson).toEqual({ status: 400, body: expect.objectContaining({ error: "body is not valid JSON" }) });

    const badStatus = await post(JSON.stringify(callback("CR-x", { status: "teleported", occurredAt: "yesterday" })));
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error).toMatch(/status/);
    expect(badStatus.body.error).toMatch(/occurredAt/);

    const missing = await post(JSON.stringify({ carrierRef: "CR-x" }));
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/eventId/);

    expect((await post("x".repeat(70_000))).status).toBe(413);
    expect((await post(JSON.stringify(callback(`CR-unknown-${randomUUID()}`)))).status).toBe(404);
    expect((await fetch(`${baseUrl}/webhooks/carrier`)).status).toBe(405);
  });

  it("answers 400 naming the field for control characters and broken text in a signed callback; stores nothing", async () => {
    const { shipment, carrierRef } = await shippedOrder();
    for (const [field, value] of [
      ["carrierRef", `${carrierRef}\u0000`],
      ["eventId", "ev-\u0000"],
      ["trackingNumber", "TN\u0085"],
      ["orderRef", "order\uD800"],
      ["description", "Left the\u0000depot"],
    ] as const) {
      const res = await post(JSON.stringify(callback(carrierRef, { [field]: value })));
      expect(res.status, field).toBe(400);
      expect(res.body.error, field).toMatch(new RegExp(`${field}: must not contain`));
    }
    // A carrier's multi-line description is fine.
    expect((await post(JSON.stringify(callback(carrierRef, { description: "Left the depot\nDriver: Ann" })))).status).toBe(200);
    expect(await db.trackingEvent.count({ where: { shipmentId: shipment.id } })).toBe(1);
  });

  it("takes the reference carrier's real callbacks through to the order's timeline", async () => {
    let carrier: RunningCarrierService | null = null;
    try {
      carrier = await startCarrierService({
        databaseUrl: api.database.url,
        port: 0,
        serviceToken: TEST_SERVICE_TOKEN,
        callbackUrl: `${baseUrl}/webhooks/carrier`,
        callbackSecret: SECRET,
        callbackRetryBaseMs: 50,
        callbackTimeoutMs: CALL_TIMEOUT_MS,
        poolSize: 2,
      });
      const client = createCarrierClient({ baseUrl: carrier.url, serviceToken: TEST_SERVICE_TOKEN, logger: api.deps.logger, timeoutMs: CALL_TIMEOUT_MS });
      const order = await createOrder(db, buyer.id, [{ product, quantity: 1 }], { status: "fulfilling" });
      const created = await client.createShipment({
        orderRef: order.id,
        recipient: { name: "Test Buyer", line1: "1 Test Street", city: "Testville", postalCode: "12345", country: "DE" },
        parcels: [{ weightGrams: 500 }],
        idempotencyKey: randomUUID(),
      });
      await db.shipment.create({
        data: { orderId: order.id, sellerId: seller.sellerId, carrier: "reference", carrierRef: created.carrierRef, trackingNumber: created.trackingNumber, status: "created" },
        select: { id: true },
      });
      for (let i = 0; i < 3; i++) expect((await carrier.advance(created.carrierRef)).callbackDelivered).toBe(true);

      const detail = await api.caller(buyer).orders.get({ orderId: order.id });
      expect(detail.status).toBe("delivered");
      expect(detail.shipments[0]!.events.map((e) => e.status)).toEqual(expect.arrayContaining(["in_transit", "out_for_delivery", "delivered"]));
    } finally {
      await carrier?.close();
    }
  });
});
