// The consumer tests both transports must pass: the same scenarios, the same assertions, run
// once over RabbitMQ (amqp-transport.test.ts) and once over the database (db-transport.test.ts).
import { connect } from "amqplib";
import { randomUUID } from "node:crypto";
import { Registry } from "prom-client";
import { afterEach, beforeEach, expect, it } from "vitest";
import { appendEvent } from "~/core/events/outbox";
import { createDb, type Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import type { ProcessorConfig } from "~/processor/config";
import type { PipelineClients } from "~/processor/pipeline-clients";
import { deadQueueName, HEADER_REASON, queueName } from "~/processor/messaging/amqp/topology";
import { startWorker, type WorkerHandle } from "~/processor/worker";
import { createPaymentClient } from "~/core/integrations/payment";
import { replayDeadLetter } from "~/core/domain/admin/dead-letters";
import { createTestDatabase, type TestDatabase } from "./db";
import {
  amqpUrl,
  createWorld,
  DECLINED_TOTAL,
  deleteTopology,
  eventCounts,
  pipelineConfig,
  placeOrders,
  processedCounts,
  recordingLogger,
  SERVICE_TOKEN,
  startReferenceServices,
  startTcpProxy,
  statusCounts,
  testLogger,
  uniqueNames,
  type ReferenceServices,
  type World,
} from "./pipeline";
import { CALL_TIMEOUT_MS, LONG_TEST_BUDGET_MS, waitFor } from "./wait";

export type TransportKind = "amqp" | "db";

const CONSUMERS = ["payments", "reservations", "fulfilment", "analytics"];
const DELAYS = [50, 100, 200];

export function describePipeline(kind: TransportKind): void {
  let testDb: TestDatabase;
  let db: Db;
  let world: World;
  let names: ReturnType<typeof uniqueNames>;
  let services: ReferenceServices;
  const cleanups: (() => Promise<unknown>)[] = [];
  const logger = testLogger();

  beforeEach(async () => {
    testDb = await createTestDatabase();
    db = testDb.db;
    // The reference gateway, inventory and carrier, real servers on this test's database.
    services = await startReferenceServices(testDb.url);
    world = await createWorld(db, services.clients.inventory);
    names = uniqueNames();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    if (kind === "amqp") await deleteTopology(names, CONSUMERS, DELAYS).catch(() => undefined);
    await services.close();
    await testDb.drop();
  });

  function config(port?: number): ProcessorConfig {
    return pipelineConfig(testDb.url, kind === "amqp" ? { AMQP_URL: amqpUrl(port), ...names } : {});
  }

  /** A worker with its own connection pool, stopped after the test. */
  async function worker(
    clients: PipelineClients,
    options: { port?: number; refreshed?: Set<string>; logger?: Logger; registry?: Registry } = {},
  ): Promise<{ handle: WorkerHandle; db: Db }> {
    const workerDb = createDb(testDb.url, { maxConnections: 12, busyTimeoutMs: CALL_TIMEOUT_MS });
    const handle = await startWorker({
      config: config(options.port),
      db: workerDb,
      logger: options.logger ?? logger,
      registry: options.registry,
      clients,
      refreshSales: async (_db, ids) => ids.forEach((id) => options.refreshed?.add(id)),
    });
    cleanups.push(() => workerDb.$disconnect());
    cleanups.push(() => handle.stop());
    return { handle, db: workerDb };
  }

  it(`1,000 orders reach paid or cancelled exactly once${kind === "amqp" ? " while the broker goes away and comes back" : ""}`, async () => {
    const proxy = kind === "amqp" ? await startTcpProxy() : null;
    if (proxy) cleanups.push(() => proxy.close());
    const refreshed = new Set<string>();
    await worker(services.clients, { port: proxy?.port, refreshed });

    const total = (i: number) => (i % 10 === 0 ? DECLINED_TOTAL : 10_000);
    const first = await placeOrders(db, world, 500, total);
    await waitFor(async () => (await db.order.count({ where: { status: { not: "pending_payment" } } })) >= 100, { describe: "first orders to be processed" });

    // Broker outage: cut mid-stream, place the other half while it is away, then bring it back.
    proxy?.cut();
    const second = await placeOrders(db, world, 500, (i) => total(i + 500));
    if (proxy) {
      // The outage is real for the worker: it tried the broker again and was refused, and nothing
      // placed meanwhile could be published (no confirm).
      await waitFor(() => proxy.refused() > 0, { describe: "the worker to try to reconnect" });
      const stuck = await db.outboxEvent.count({ where: { publishedAt: null, type: "order.placed", aggregateId: { in: second } } });
      expect(stuck).toBe(500);
      proxy.restore();
    }

    const ids = [...first, ...second];
    const settled = async () => {
      const counts = await statusCounts(db, ids);
      return (
        (counts.fulfilling ?? 0) + (counts.cancelled ?? 0) === 1_000 &&
        (await processedCounts(db)).analytics === 900 &&
        (await processedCounts(db)).reservations === 100 &&
        // The last events (shipment.created) are written with the last effects: wait for their relay too.
        (await db.outboxEvent.count({ where: { publishedAt: null } })) === 0
      );
    };
    // About 20 s on a quiet machine, several times that on a busy one: the wait lasts as long as
    // orders keep moving and fails only once nothing has moved for a whole test budget.
    const state = async () => ({
      orders: await statusCounts(db, ids),
      processed: await processedCounts(db),
      deadLetters: await db.deadLetter.findMany({ select: { consumer: true, reason: true } }),
    });
    await waitFor(settled, { progress: state, describe: async () => `all orders settled: ${JSON.stringify(await state())}` });

    expect(await statusCounts(db, ids)).toEqual({ fulfilling: 900, cancelled: 100 });
    // Every effect exactly once: one event per fact, one status change per transition.
    expect(await eventCounts(db)).toEqual({
      "order.placed": 1_000,
      "payment.authorized": 900,
      "order.paid": 900,
      "payment.failed": 100,
      "order.cancelled": 100,
      "shipment.created": 900,
    });
    const changes = await db.orderStatusChange.groupBy({ by: ["toStatus"], _count: { _all: true } });
    expect(Object.fromEntries(changes.map((c) => [c.toStatus, c._count._all]))).toEqual({ paid: 900, cancelled: 100, fulfilling: 900 });
    expect(await db.shipment.count()).toBe(900);
    // Nothing lost: every event reached every consumer that wants it, once (ProcessedMessage is keyed by event).
    expect(await processedCounts(db)).toEqual({ payments: 1_000, fulfilment: 900, reservations: 100, analytics: 900 });
    expect(await db.outboxEvent.count({ where: { publishedAt: null } })).toBe(0);
    expect(await db.deadLetter.count()).toBe(0);
    // The outside world saw one charge and one stock commit per paid order, one release per cancel.
    const ledger = await services.ledger();
    expect(ledger.payments).toEqual({ captured: 900, declined: 100 });
    expect(ledger.reservations).toEqual({ committed: 900, released: 100 });
    expect(ledger.shipments).toBe(900);
    expect(await services.clients.inventory.getStock(world.sku)).toMatchObject({ onHand: 1_000_000 - 900, reserved: 0 });
    expect(refreshed.size).toBe(900);
    const payments = await db.payment.groupBy({ by: ["status"], _count: { _all: true } });
    expect(Object.fromEntries(payments.map((p) => [p.status, p._count._all]))).toEqual({ captured: 900, failed: 100 });
  }, LONG_TEST_BUDGET_MS);

  it("a consumer killed mid-message: the message is delivered again and the effect happens once", async () => {
    const authorizations = () => services.calls.get("POST /v1/payments") ?? 0;
    const proxy = kind === "amqp" ? await startTcpProxy() : null;
    if (proxy) cleanups.push(() => proxy.close());

    // Worker A takes the message and hangs inside the gateway call (the gateway holds that request
    // until worker B is done: past the database transport's lease and B's whole run)...
    const held = services.gateway.holdNext(1);
    const a = await worker(services.clients, { port: proxy?.port });
    const orderId = (await placeOrders(db, world, 1))[0]!;
    await waitFor(() => held.waiting === 1, { describe: "worker A's payment to reach the gateway" });
    // ...and dies: over AMQP its connection drops (the broker requeues the unacked message); over
    // the database its lease runs out. It never acks.
    proxy?.cut();

    // Worker B gets the same message again and completes it.
    await worker(services.clients);
    await waitFor(async () => (await db.order.findUniqueOrThrow({ where: { id: orderId }, select: { status: true } })).status === "fulfilling", { describe: "worker B to pay the order" });

    // A wakes up and finishes its copy (stop waits for it): its effect is refused as already processed.
    held.release();
    await a.handle.stop();
    expect(authorizations()).toBeGreaterThanOrEqual(2);
    expect((await services.ledger()).payments).toEqual({ captured: 1 });
    expect(await db.orderStatusChange.count({ where: { orderId: orderId, toStatus: "paid" } })).toBe(1);
    expect(await eventCounts(db)).toMatchObject({ "order.paid": 1, "payment.authorized": 1, "shipment.created": 1 });
    expect(await db.processedMessage.count({ where: { consumer: "payments" } })).toBe(1);
  });

  it("graceful stop: no new messages are taken, the one in flight is finished", async () => {
    const authorizations = () => services.calls.get("POST /v1/payments") ?? 0;
    // The gateway holds the first authorization: stop() is called while it is in flight.
    const held = services.gateway.holdNext(1);
    const said = recordingLogger();
    const { handle } = await worker(services.clients, { logger: said.logger });
    const first = (await placeOrders(db, world, 1))[0]!;
    await waitFor(() => held.waiting === 1, { describe: "the payment to reach the gateway" });

    const stopping = handle.stop();
    // Placed once the worker has stopped taking messages, with the first one still in flight.
    await waitFor(() => said.messages.some((m) => m.includes("finishing those in flight")), { describe: "the worker to stop taking messages" });
    const second = (await placeOrders(db, world, 1))[0]!;
    held.release();
    await stopping;

    expect(await db.order.findUniqueOrThrow({ where: { id: first }, select: { status: true } })).toEqual({ status: "paid" });
    expect(await db.order.findUniqueOrThrow({ where: { id: second }, select: { status: true } })).toEqual({ status: "pending_payment" });
    expect(authorizations()).toBe(1);
  });

  if (kind === "amqp") {
    it("re-declares its topology when a queue disappears under it", async () => {
      await worker(services.clients);
      const topology = { exchange: names.AMQP_EXCHANGE, queuePrefix: names.AMQP_QUEUE_PREFIX };
      const connection = await connect(amqpUrl());
      cleanups.push(() => connection.close());
      // checkQueue on a missing queue closes its channel: one throwaway channel per look.
      const queueExists = async () => {
        const channel = await connection.createChannel();
        channel.on("error", () => undefined);
        return channel.checkQueue(queueName(topology, "payments")).then(
          () => channel.close().then(() => true),
          () => false,
        );
      };
      const admin = await connection.createChannel();
      await admin.deleteQueue(queueName(topology, "payments"));
      // The worker notices (its consumer is cancelled), reconnects and declares the queue again.
      await waitFor(queueExists, { describe: "the queue to be declared again" });
      const orderId = (await placeOrders(db, world, 1))[0]!;
      await waitFor(async () => (await db.order.findUniqueOrThrow({ where: { id: orderId }, select: { status: true } })).status === "fulfilling", { describe: "the order to be paid" });
    });
  }

  it("a poison message is dead-lettered after the configured retries with its reason; replay delivers it again", async () => {
    await worker(services.clients);
    // A well-formed order.placed for an order that does not exist (yet): the consumer fails each time.
    const orderId = randomUUID();
    const eventId = await db.$transaction((tx) =>
      appendEvent(tx, {
        type: "order.placed",
        aggregateType: "order",
        aggregateId: orderId,
        payload: {
          orderId,
          orderNumber: 1,
          buyerId: world.buyerId,
          total: { amountMinor: 10_000, currency: "EUR" },
          reservationId: null,
          lines: [{ productId: world.productId, sellerId: world.sellerId, sku: world.sku, quantity: 1, unitPriceMinor: 10_000 }],
        },
      }),
    );

    await waitFor(async () => (await db.deadLetter.count()) === 1, { describe: "the dead letter" });
    const letter = await db.deadLetter.findFirstOrThrow({ select: { id: true, consumer: true, eventId: true, eventType: true, reason: true, attempts: true } });
    expect(letter).toMatchObject({ consumer: "payments", eventId, eventType: "order.placed", attempts: 3 });
    expect(letter.reason).toBe(`failed 3 times: Order ${orderId} does not exist`);
    if (kind === "amqp") {
      const reason = await readDeadQueueReason("payments");
      expect(reason).toBe(letter.reason);
    }

    // Fixed (the order now exists), then replayed by an admin: it goes through once.
    await placeOrders(db, world, 1, undefined, { ids: [orderId], events: false });
    await replayDeadLetter(db, letter.id);
    await waitFor(async () => (await db.order.findUniqueOrThrow({ where: { id: orderId }, select: { status: true } })).status === "fulfilling", { describe: "the replayed order to be paid" });
    expect(await db.deadLetter.findUniqueOrThrow({ where: { id: letter.id }, select: { replayedAt: true } })).toMatchObject({ replayedAt: expect.any(Date) });
    await expect(replayDeadLetter(db, letter.id)).rejects.toMatchObject({ kind: "conflict" });
  });

  it("an invalid message goes straight to the dead-letter queue with the validation problem", async () => {
    await worker(services.clients);
    const body = { id: randomUUID(), type: "order.placed", version: 1, occurredAt: new Date().toISOString(), aggregateType: "order", aggregateId: "x", payload: { orderId: 42 } };
    if (kind === "amqp") {
      const connection = await connect(amqpUrl());
      const channel = await connection.createConfirmChannel();
      channel.publish(names.AMQP_EXCHANGE, "order.placed", Buffer.from(JSON.stringify(body)));
      await channel.waitForConfirms();
      await connection.close();
    } else {
      // Only raw SQL could write such a row (appendEvent validates): the database transport still copes.
      await db.$executeRaw`INSERT INTO "OutboxEvent" (id, type, version, "aggregateType", "aggregateId", payload, "occurredAt")
        VALUES (gen_random_uuid(), 'order.placed', 1, 'order', 'x', ${JSON.stringify({ orderId: 42 })}::jsonb, now())`;
    }
    await waitFor(async () => (await db.deadLetter.count()) === 1, { describe: "the dead letter" });
    const letter = await db.deadLetter.findFirstOrThrow({ select: { reason: true, attempts: true, consumer: true } });
    expect(letter).toMatchObject({ consumer: "payments", attempts: 1 });
    expect(letter.reason).toMatch(/^invalid message: /);
    expect(letter.reason).toMatch(/payload.orderId|orderId/);
    if (kind === "amqp") expect(await readDeadQueueReason("payments")).toBe(letter.reason);
  });

  it("a payment gateway outage leaves orders pending; they complete when it comes back", async () => {
    const gateway = services.gateway;
    gateway.setFailureModes({ down: true });
    // The worker's client with short retries and breaker, so many rounds go by during the outage.
    const clients = {
      ...services.clients,
      payment: createPaymentClient({
        baseUrl: gateway.url,
        serviceToken: SERVICE_TOKEN,
        logger,
        timeoutMs: CALL_TIMEOUT_MS,
        retry: { limit: 0 },
        breaker: { failureThreshold: 3, resetTimeoutMs: 200 },
      }),
    };
    const registry = new Registry();
    await worker(clients, { registry });
    const ids = await placeOrders(db, world, 20, (i) => (i % 5 === 0 ? DECLINED_TOTAL : 10_000));

    // More retry rounds than EVENT_MAX_ATTEMPTS go by while the gateway is down: nothing moves,
    // nothing is dead-lettered.
    const retries = async () => (await registry.getSingleMetric("lavka_consumer_retries_total")!.get()).values.reduce((sum, v) => sum + v.value, 0);
    await waitFor(async () => (await retries()) >= ids.length * 4, { describe: async () => `retry rounds during the outage (${await retries()} retries)` });
    expect(await statusCounts(db, ids)).toEqual({ pending_payment: 20 });
    expect(await db.deadLetter.count()).toBe(0);

    gateway.setFailureModes({ down: false });
    await waitFor(
      async () => {
        const counts = await statusCounts(db, ids);
        return (counts.fulfilling ?? 0) + (counts.cancelled ?? 0) === 20;
      },
      { describe: async () => `orders to settle: ${JSON.stringify(await statusCounts(db, ids))}` },
    );
    expect(await statusCounts(db, ids)).toEqual({ fulfilling: 16, cancelled: 4 });
    const cancelled = await db.order.findMany({ where: { status: "cancelled" }, select: { cancelReason: true } });
    expect(cancelled.map((o) => o.cancelReason)).toEqual(Array(4).fill(expect.stringMatching(/^Payment failed: /)));
    expect(await eventCounts(db)).toMatchObject({ "order.paid": 16, "payment.failed": 4 });
    expect(await db.deadLetter.count()).toBe(0);
  });

  async function readDeadQueueReason(consumer: string): Promise<unknown> {
    const connection = await connect(amqpUrl());
    try {
      const channel = await connection.createChannel();
      const msg = await channel.get(deadQueueName({ exchange: names.AMQP_EXCHANGE, queuePrefix: names.AMQP_QUEUE_PREFIX }, consumer), { noAck: true });
      if (!msg) return null;
      const reason = msg.properties.headers?.[HEADER_REASON] as unknown;
      return Buffer.isBuffer(reason) ? reason.toString("utf8") : reason;
    } finally {
      await connection.close();
    }
  }
}

