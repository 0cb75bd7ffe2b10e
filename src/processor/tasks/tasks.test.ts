// The worker's timed passes, one pass at a time: unpaid-order expiry and tracking polls. What
// they start is delivered to the consumers through dispatch(), as a transport would. The
// gateway, inventory and carrier are the reference servers, reached through the real clients.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Consumer } from "~/processor/messaging/consumer";
import { createTestDatabase, type Db, type TestDatabase } from "../../../tests/helpers/db";
import {
  createWorld,
  deliverLatest,
  dispatchDeps,
  placeOrders,
  readReservationStatus,
  startReferenceServices,
  testLogger,
  type ReferenceServices,
  type World,
} from "../../../tests/helpers/pipeline";
import { createFulfilmentConsumer } from "../consumers/fulfilment";
import { createPaymentsConsumer } from "../consumers/payments";
import { createReservationsConsumer } from "../consumers/reservations";
import { EXPIRY_REASON, expireUnpaidOrders } from "./expiry";
import { pollStaleShipments } from "./tracking";

let testDb: TestDatabase;
let db: Db;
let world: World;
let services: ReferenceServices;
let clients: ReferenceServices["clients"];
const logger = testLogger();

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  services = await startReferenceServices(testDb.url);
  clients = services.clients;
  world = await createWorld(db, clients.inventory);
});
afterAll(async () => {
  await services?.close();
  await testDb?.drop();
});

const reservationStatus = (orderId: string) => readReservationStatus(db, clients.inventory, orderId);
const deliver = (consumer: Consumer, orderId: string, type: string, attempt = 1) => deliverLatest(db, consumer, orderId, type, dispatchDeps(db, logger), attempt);
const payments = () => createPaymentsConsumer({ clients, defaultCardToken: "tok_visa" });

describe("expiry", () => {
  it("cancels unpaid orders past the payment timeout and leaves the others", async () => {
    const [old] = await placeOrders(db, world, 1);
    const [fresh] = await placeOrders(db, world, 1);
    await db.order.update({ where: { id: old! }, data: { placedAt: new Date(Date.now() - 2 * 3_600_000) } });

    const result = await expireUnpaidOrders({ db, logger, clients, paymentTimeoutMs: 3_600_000, now: () => new Date() });
    expect(result.cancelled).toBe(1);
    expect(await db.order.findUniqueOrThrow({ where: { id: old! }, select: { status: true, cancelReason: true } })).toEqual({ status: "cancelled", cancelReason: EXPIRY_REASON });
    expect(await db.order.findUniqueOrThrow({ where: { id: fresh! }, select: { status: true } })).toEqual({ status: "pending_payment" });
    expect(await deliver(createReservationsConsumer(clients), old!, "order.cancelled")).toEqual({ kind: "done" });
    expect(await reservationStatus(old!)).toBe("released");
    expect(await reservationStatus(fresh!)).toBe("active");

    // A late order.placed for the expired order charges nothing.
    const authorizations = () => services.calls.get("POST /v1/payments") ?? 0;
    const before = authorizations();
    expect(await deliver(payments(), old!, "order.placed")).toEqual({ kind: "done" });
    expect(authorizations() - before).toBe(0);
    expect(await clients.payment.findByReference(old!)).toEqual([]);
  });
});

describe("tracking", () => {
  it("polls stale shipments and applies carrier events once; the order follows to delivered", async () => {
    const [orderId] = await placeOrders(db, world, 1);
    await deliver(payments(), orderId!, "order.placed");
    await deliver(createFulfilmentConsumer({ clients, carrierName: "Test Post" }), orderId!, "order.paid");
    const shipment = await db.shipment.findFirstOrThrow({ where: { orderId: orderId! }, select: { id: true, carrierRef: true, trackingNumber: true } });
    const poll = () => pollStaleShipments({ db, logger, clients, staleMs: 0, now: () => new Date(Date.now() + 1_000) });
    // Every shipment in this database (other tests' too) has its "created" event at the carrier:
    // take that news first, so what follows is this parcel's journey only.
    await poll();
    expect(await db.trackingEvent.count({ where: { shipmentId: shipment.id } })).toBe(1);
    // The reference carrier moves the parcel on: in transit, out for delivery, delivered.
    for (let i = 0; i < 3; i++) await services.carrier.advance(shipment.carrierRef!);

    expect((await poll()).recorded).toBe(3);
    expect(await db.order.findUniqueOrThrow({ where: { id: orderId! }, select: { status: true } })).toEqual({ status: "delivered" });
    const history = await db.orderStatusChange.findMany({ where: { orderId: orderId! }, orderBy: { at: "asc" }, select: { toStatus: true } });
    expect(history.map((h) => h.toStatus)).toEqual(["paid", "fulfilling", "shipped", "delivered"]);
    expect(await db.outboxEvent.count({ where: { aggregateId: orderId!, type: "shipment.status_changed" } })).toBe(3);
    // Nothing is recorded twice.
    expect((await poll()).recorded).toBe(0);
    expect(await db.trackingEvent.count({ where: { shipmentId: shipment.id } })).toBe(4);
  });
  /** Shipments of new orders, booked at the reference carrier, with no news for an hour. */
  async function staleShipments(count: number): Promise<{ id: string; trackingNumber: string }[]> {
    const orderIds = await placeOrders(db, world, count);
    for (const orderId of orderIds) {
      await deliver(payments(), orderId, "order.placed");
      await deliver(createFulfilmentConsumer({ clients, carrierName: "Test Post" }), orderId, "order.paid");
    }
    const shipments = await db.shipment.findMany({ where: { orderId: { in: orderIds } }, select: { id: true, trackingNumber: true } });
    await db.$executeRaw`UPDATE "Shipment" SET "updatedAt" = now() - interval '1 hour' WHERE id = ANY(${shipments.map((s) => s.id)}::uuid[])`;
    return shipments.map((s) => ({ id: s.id, trackingNumber: s.trackingNumber! }));
  }

  /** The reference carrier's client, counting the look-ups per tracking number. */
  function countingCarrier(fail: (trackingNumber: string) => boolean = () => false) {
    const asked = new Map<string, number>();
    const carrier = {
      ...clients.carrier,
      getTracking: async (trackingNumber: string) => {
        asked.set(trackingNumber, (asked.get(trackingNumber) ?? 0) + 1);
        if (fail(trackingNumber)) throw new Error("carrier unavailable");
        return clients.carrier.getTracking(trackingNumber);
      },
    };
    return { asked, carrier };
  }

  it("two workers polling at once ask the carrier about each stale shipment once", async () => {
    const shipments = await staleShipments(6);
    const { asked, carrier } = countingCarrier();
    const now = new Date();
    const pass = () => pollStaleShipments({ db, logger, clients: { carrier }, staleMs: 30 * 60_000, now: () => now });

    await Promise.all([pass(), pass()]);
    for (const { trackingNumber } of shipments) expect(asked.get(trackingNumber), trackingNumber).toBe(1);
    // Asked: not stale again for another 30 minutes, whichever worker looks.
    await pass();
    for (const { trackingNumber } of shipments) expect(asked.get(trackingNumber), trackingNumber).toBe(1);
  });

  it("a look-up that failed is tried again by the next pass, not after the whole stale period", async () => {
    const [failing, fine] = await staleShipments(2);
    let carrierDown = true;
    const { asked, carrier } = countingCarrier((n) => carrierDown && n === failing!.trackingNumber);
    const pass = () => pollStaleShipments({ db, logger, clients: { carrier }, staleMs: 30 * 60_000, now: () => new Date() });

    await pass();
    carrierDown = false;
    await pass();
    expect(asked.get(failing!.trackingNumber)).toBe(2);
    expect(asked.get(fine!.trackingNumber)).toBe(1);
    expect(await db.trackingEvent.count({ where: { shipmentId: failing!.id } })).toBe(1);
  });
});
