// Mail through the whole worker, over both transports, with a real SMTP server (MailDev) that
// the tests stop and start again: a mail server that is down delays mail without losing it.
// Short outages are bridged by the retries; longer ones end in the dead-letter queue, and a
// replay sends the mail once it is back. Never a mail twice.
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { replayDeadLetter } from "~/core/domain/admin/dead-letters";
import { createDb, type Db } from "~/lib/db";
import { deadQueueName } from "~/processor/messaging/amqp/topology";
import { startWorker, type WorkerHandle } from "~/processor/worker";
import { connect } from "amqplib";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { createUser } from "../helpers/fixtures";
import { startTestMailServer, type TestMailServer } from "../helpers/mail";
import { amqpUrl, createWorld, deleteTopology, pipelineConfig, placeOrders, startReferenceServices, testLogger, uniqueNames, type ReferenceServices, type World } from "../helpers/pipeline";
import { CALL_TIMEOUT_MS, waitFor } from "../helpers/wait";

const CONSUMERS = ["payments", "reservations", "fulfilment", "analytics", "mail"];

let testDb: TestDatabase;
let db: Db;
let services: ReferenceServices;
let smtp: TestMailServer;
let base: World;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  services = await startReferenceServices(testDb.url);
  smtp = await startTestMailServer();
  base = await createWorld(db, services.clients.inventory);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await smtp.start();
});
afterAll(async () => {
  await smtp?.close();
  await services?.close();
  await testDb?.drop();
});

type Kind = "db" | "amqp";

/** A worker with the mail consumer sending to the test SMTP server; stopped after the test. */
async function worker(kind: Kind, overrides: Record<string, string>): Promise<{ handle: WorkerHandle; registry: Registry; names: ReturnType<typeof uniqueNames> }> {
  const names = uniqueNames();
  const delays = overrides.EVENT_RETRY_DELAYS_MS ?? "50,100,200";
  const config = pipelineConfig(testDb.url, { ...smtp.env, ...(kind === "amqp" ? { AMQP_URL: amqpUrl(), ...names } : {}), ...overrides });
  const workerDb = createDb(testDb.url, { maxConnections: 8, busyTimeoutMs: CALL_TIMEOUT_MS });
  const registry = new Registry();
  const handle = await startWorker({ config, db: workerDb, logger: testLogger(), registry, clients: services.clients, refreshSales: async () => undefined });
  cleanups.push(() => workerDb.$disconnect());
  if (kind === "amqp") cleanups.push(() => deleteTopology(names, CONSUMERS, delays.split(",").map(Number)));
  cleanups.push(() => handle.stop());
  return { handle, registry, names };
}

/** A buyer of their own, so that each test's mailbox starts empty. */
async function freshBuyer(): Promise<{ world: World; email: string }> {
  const buyer = await createUser(db, "buyer");
  return { world: { ...base, buyerId: buyer.id }, email: buyer.email };
}

const mailRetries = async (registry: Registry) =>
  (await registry.getSingleMetric("lavka_consumer_retries_total")!.get()).values.filter((v) => v.labels.consumer === "mail").reduce((sum, v) => sum + v.value, 0);

/** Mails the ledger holds for these orders' events (of one kind, when given). */
async function sentFor(orderIds: string[], kind?: string): Promise<number> {
  const events = await db.outboxEvent.findMany({ where: { aggregateId: { in: orderIds } }, select: { id: true } });
  return db.sentMail.count({ where: { eventId: { in: events.map((e) => e.id) }, ...(kind ? { kind } : {}) } });
}

describe.each<Kind>(["db", "amqp"])("mail over the %s transport", (kind) => {
  it("mail is kept while the SMTP server is down: retried with backoff and sent once it is back", async () => {
    const { registry } = await worker(kind, { EVENT_RETRY_DELAYS_MS: "100,200,400", EVENT_MAX_ATTEMPTS: "100" });
    const { world, email } = await freshBuyer();
    await smtp.stop();
    const orderIds = await placeOrders(db, world, 3);
    // The orders go on (paid, shipment booked) while their mail waits.
    await waitFor(async () => (await db.order.count({ where: { id: { in: orderIds }, status: "fulfilling" } })) === 3, { describe: "the orders to be paid" });
    // Every mail (placed, paid) was tried and refused more than once.
    await waitFor(async () => (await mailRetries(registry)) >= 12, { describe: async () => `mail to be retried; retries so far ${await mailRetries(registry)}` });
    expect(await sentFor(orderIds)).toBe(0);

    await smtp.start();
    const mails = await smtp.waitForMails(email, 6);
    expect(mails.map((m) => m.subject.replace(/#\d+/, "#N")).sort()).toEqual([
      ...Array(3).fill("Order #N received"),
      ...Array(3).fill("Payment received for order #N"),
    ]);
    expect(await db.deadLetter.count({ where: { consumer: "mail" } })).toBe(0);
    // The seller's "new order" mails came too, three of them.
    await waitFor(async () => (await sentFor(orderIds, "seller_new_order")) === 3, { describe: "the seller's mails" });
    expect(await sentFor(orderIds)).toBe(9);
  });
});

describe("a mail server down for longer than the retries", () => {
  it("dead-letters the mail (queue and table); a replay once it is back sends it, once", async () => {
    const { names } = await worker("amqp", { EVENT_RETRY_DELAYS_MS: "50,100", EVENT_MAX_ATTEMPTS: "3" });
    const { world, email } = await freshBuyer();
    await smtp.stop();
    const [orderId] = await placeOrders(db, world, 1);
    // Both of the order's mail events (placed; paid, which also mails the seller) give up.
    const letters = await waitFor(
      async () => {
        const rows = await db.deadLetter.findMany({ where: { consumer: "mail", payload: { path: ["aggregateId"], equals: orderId! } }, select: { id: true, eventType: true, reason: true, attempts: true } });
        return rows.length === 2 ? rows : null;
      },
      { describe: "the order's two mail events to be dead-lettered" },
    );
    for (const letter of letters) {
      expect(letter.attempts).toBe(3);
      expect(letter.reason).toMatch(/^failed 3 times: mail server 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    }
    // Also in RabbitMQ's dead-letter queue of the mail consumer (published right after the row).
    const connection = await connect(amqpUrl());
    const channel = await connection.createChannel();
    const deadQueue = deadQueueName({ exchange: names.AMQP_EXCHANGE, queuePrefix: names.AMQP_QUEUE_PREFIX }, "mail");
    await waitFor(async () => (await channel.checkQueue(deadQueue)).messageCount === 2, { describe: "two messages in the mail consumer's dead-letter queue" });
    await connection.close();
    expect(await db.order.findUniqueOrThrow({ where: { id: orderId! }, select: { status: true } })).toEqual({ status: "fulfilling" });

    await smtp.start();
    const placed = letters.find((l) => l.eventType === "order.placed")!;
    await replayDeadLetter(db, placed.id);
    const [mail] = await smtp.waitForMails(email, 1);
    expect(mail!.subject).toMatch(/^Order #\d+ received$/);
    await expect(replayDeadLetter(db, placed.id)).rejects.toThrow(/already replayed/);

    await replayDeadLetter(db, letters.find((l) => l.eventType === "order.paid")!.id);
    const mails = await smtp.waitForMails(email, 2);
    expect(mails.map((m) => m.subject.replace(/#\d+/, "#N"))).toEqual(["Order #N received", "Payment received for order #N"]);
    // The same replay sends the seller's new-order mail (after the buyer's), once.
    await waitFor(async () => (await sentFor([orderId!], "seller_new_order")) === 1, { describe: "the seller's mail after the replay" });
    expect(await sentFor([orderId!])).toBe(3);
  });
});
