// The pipeline's housekeeping jobs through runJob, as `processor job <name>` runs them:
// prune-outbox on hand-made outbox rows, expire-orders against the reference inventory.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type Db, type TestDatabase } from "../../../tests/helpers/db";
import { createWorld, pipelineConfig, placeOrders, startReferenceServices, testLogger, type ReferenceServices, type World } from "../../../tests/helpers/pipeline";
import { testClock } from "../../../tests/helpers/wait";
import { EXPIRY_REASON } from "../tasks/expiry";
import { createExpireOrdersJob, PRUNE_BATCH_SIZE, pruneOutboxJob } from "./pipeline-jobs";
import { runJob } from "./run-job";

let testDb: TestDatabase;
let db: Db;
const logger = testLogger();
const DAY = 86_400_000;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
});
afterAll(async () => testDb?.drop());

const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

async function event(options: { publishedDaysAgo: number | null; delivery?: "pending" | "processing" | "done" | "dead"; deadLetter?: "open" | "replayed" }): Promise<string> {
  const id = randomUUID();
  await db.outboxEvent.create({
    data: {
      id,
      type: "order.placed",
      version: 1,
      aggregateType: "order",
      aggregateId: randomUUID(),
      payload: {},
      occurredAt: daysAgo((options.publishedDaysAgo ?? 30) + 0.01),
      publishedAt: options.publishedDaysAgo === null ? null : daysAgo(options.publishedDaysAgo),
    },
    select: { id: true },
  });
  if (options.delivery) await db.eventDelivery.create({ data: { eventId: id, consumer: "payments", status: options.delivery }, select: { eventId: true } });
  if (options.deadLetter) {
    await db.deadLetter.create({
      data: { consumer: "payments", eventId: id, eventType: "order.placed", payload: {}, reason: "test", attempts: 3, replayedAt: options.deadLetter === "replayed" ? new Date() : null },
      select: { id: true },
    });
  }
  return id;
}

describe("prune-outbox", () => {
  it("deletes old published events only: never unpublished, recent, still-delivering or open dead-lettered ones", async () => {
    const gone = [
      await event({ publishedDaysAgo: 10 }),
      await event({ publishedDaysAgo: 10, delivery: "done" }),
      await event({ publishedDaysAgo: 10, delivery: "dead" }),
      await event({ publishedDaysAgo: 10, deadLetter: "replayed" }),
    ];
    const kept = [
      await event({ publishedDaysAgo: null }),
      await event({ publishedDaysAgo: 2 }),
      await event({ publishedDaysAgo: 10, delivery: "pending" }),
      await event({ publishedDaysAgo: 10, delivery: "processing" }),
      await event({ publishedDaysAgo: 10, deadLetter: "open" }),
    ];
    const result = await runJob(pruneOutboxJob, {}, { db, logger, trigger: "job" });
    expect(result.rows).toBe(gone.length);
    const left = new Set((await db.outboxEvent.findMany({ select: { id: true } })).map((e) => e.id));
    expect(gone.filter((id) => left.has(id))).toEqual([]);
    expect(kept.filter((id) => !left.has(id))).toEqual([]);
    // Their finished deliveries went with them; the live ones stay.
    expect(await db.eventDelivery.count({ where: { eventId: { in: gone } } })).toBe(0);
    expect(await db.eventDelivery.count({ where: { eventId: { in: kept } } })).toBe(2);
    expect(await db.jobRun.findFirstOrThrow({ where: { name: "prune-outbox" }, select: { status: true, rows: true } })).toEqual({ status: "succeeded", rows: 4 });

    // --older-than-days moves the line: the 2-day-old event goes with --older-than-days 1.
    expect((await runJob(pruneOutboxJob, { "older-than-days": "1" }, { db, logger, trigger: "job" })).rows).toBe(1);
    await expect(runJob(pruneOutboxJob, { "older-than-days": "0" }, { db, logger, trigger: "job" })).rejects.toThrow(/--older-than-days/);
  });

  it("works through a large backlog in batches", async () => {
    const count = PRUNE_BATCH_SIZE * 2 + 500;
    await db.outboxEvent.createMany({
      data: Array.from({ length: count }, () => ({ id: randomUUID(), type: "order.paid", version: 1, aggregateType: "order", aggregateId: randomUUID(), payload: {}, occurredAt: daysAgo(9), publishedAt: daysAgo(8) })),
    });
    const result = await runJob(pruneOutboxJob, {}, { db, logger, trigger: "job" });
    expect(result).toMatchObject({ rows: count, summary: { batches: 3 } });
    expect(await db.outboxEvent.count({ where: { type: "order.paid" } })).toBe(0);
  });
});

describe("expire-orders", () => {
  let services: ReferenceServices;
  let world: World;
  // The inventory's reservations expire on this clock, moved by the test.
  const inventoryClock = testClock();
  beforeAll(async () => {
    services = await startReferenceServices(testDb.url, { inventory: { now: inventoryClock.now } });
    world = await createWorld(db, services.clients.inventory);
  });
  afterAll(async () => services?.close());

  it("runs the worker's expiry: overdue unpaid orders are cancelled, stale reservations expired", async () => {
    const [old] = await placeOrders(db, world, 1);
    const [fresh] = await placeOrders(db, world, 1);
    await db.order.update({ where: { id: old! }, data: { placedAt: new Date(Date.now() - 2 * 3_600_000) } });
    // A reservation no order points at (a checkout that failed after reserving), past its time.
    const orphan = await services.clients.inventory.reserve({ lines: [{ sku: world.sku, quantity: 1 }], idempotencyKey: randomUUID(), ttlSeconds: 1 });
    inventoryClock.advance(1_200);

    const job = createExpireOrdersJob({ config: pipelineConfig(testDb.url, { ORDER_PAYMENT_TIMEOUT_MINUTES: "60" }), inventory: services.clients.inventory });
    const result = await runJob(job, {}, { db, logger, trigger: "job" });
    expect(result).toMatchObject({ rows: 1, summary: { cancelled: 1, reservationsExpired: 1 } });
    expect(await db.order.findUniqueOrThrow({ where: { id: old! }, select: { status: true, cancelReason: true } })).toEqual({ status: "cancelled", cancelReason: EXPIRY_REASON });
    expect(await db.order.findUniqueOrThrow({ where: { id: fresh! }, select: { status: true } })).toEqual({ status: "pending_payment" });
    expect(await db.outboxEvent.count({ where: { aggregateId: old!, type: "order.cancelled" } })).toBe(1);
    expect((await services.clients.inventory.getReservation(orphan.id))?.status).toBe("expired");

    // Run again: nothing left to do.
    expect((await runJob(job, {}, { db, logger, trigger: "job" })).rows).toBe(0);
  });
});
