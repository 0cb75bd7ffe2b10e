// Upgrading from the classic queues (topology version 1) to the quorum queues: messages sitting
// in the old consumer, retry and dead-letter queues are not lost, and an earlier release's worker
// that is still running keeps its queue until it stops. On the machine's RabbitMQ.
import { connect, type Channel, type ChannelModel } from "amqplib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toEnvelope } from "~/core/events/outbox";
import { createLogger } from "~/lib/logger";
import { createTestDatabase, type TestDatabase } from "../../../../tests/helpers/db";
import {
  amqpUrl,
  createWorld,
  deleteTopology,
  pipelineConfig,
  placeOrders,
  startReferenceServices,
  testLogger,
  uniqueNames,
  type ReferenceServices,
  type World,
} from "../../../../tests/helpers/pipeline";
import { waitFor } from "../../../../tests/helpers/wait";
import { createConsumers } from "../../consumers";
import { startWorker } from "../../worker";
import type { Consumer } from "../consumer";
import { migrateClassicQueues } from "./migrate-classic";
import { classicQueueNames, deadQueueName, declareTopology, HEADER_ATTEMPT, HEADER_REASON, queueName, type TopologyNames } from "./topology";

// The last delay is long: a message in that retry queue would sit there for ten minutes unless moved.
const DELAYS = [50, 100, 600_000];
const logger = testLogger();

let t: TestDatabase;
let services: ReferenceServices;
let world: World;
let names: ReturnType<typeof uniqueNames>;
let topology: TopologyNames;
let connection: ChannelModel;
let consumers: Consumer[];
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  t = await createTestDatabase();
  services = await startReferenceServices(t.url);
  world = await createWorld(t.db, services.clients.inventory);
  names = uniqueNames();
  topology = { exchange: names.AMQP_EXCHANGE, queuePrefix: names.AMQP_QUEUE_PREFIX };
  connection = await connect(amqpUrl());
  consumers = createConsumers(pipelineConfig(t.url), services.clients, async () => undefined);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await connection.close().catch(() => undefined);
  await deleteTopology(names, consumers, DELAYS).catch(() => undefined);
  await services.close();
  await t.drop();
});

/** The classic topology as releases before the quorum queues declared it. */
async function declareClassicTopology(channel: Channel): Promise<void> {
  await channel.assertExchange(topology.exchange, "topic", { durable: true });
  for (const consumer of consumers) {
    const classic = classicQueueNames(topology, consumer.name, DELAYS);
    await channel.assertQueue(classic.dead, { durable: true });
    await channel.assertQueue(classic.main, { durable: true, deadLetterExchange: "", deadLetterRoutingKey: classic.dead });
    for (const type of consumer.events) await channel.bindQueue(classic.main, topology.exchange, type);
    for (const [i, ms] of DELAYS.entries()) {
      await channel.assertQueue(classic.retries[i]!, { durable: true, messageTtl: ms, deadLetterExchange: "", deadLetterRoutingKey: classic.main });
    }
  }
}

/** Orders whose order.placed was relayed by the earlier release: published, and only in the broker. */
async function relayedOrders(count: number): Promise<{ orderId: string; body: Buffer; eventId: string }[]> {
  const ids = await placeOrders(t.db, world, count);
  await t.db.outboxEvent.updateMany({ where: { aggregateId: { in: ids } }, data: { publishedAt: new Date() } });
  const rows = await t.db.outboxEvent.findMany({
    where: { aggregateId: { in: ids } },
    select: { id: true, seq: true, type: true, version: true, aggregateType: true, aggregateId: true, payload: true, occurredAt: true },
  });
  return ids.map((orderId) => {
    const row = rows.find((r) => r.aggregateId === orderId)!;
    return { orderId, eventId: row.id, body: Buffer.from(JSON.stringify(toEnvelope(row))) };
  });
}

function put(channel: Channel, queue: string, message: { body: Buffer; eventId: string }, headers: Record<string, unknown>): void {
  channel.sendToQueue(queue, message.body, { persistent: true, contentType: "application/json", messageId: message.eventId, headers });
}

async function queueExists(queue: string): Promise<boolean> {
  const channel = await connection.createChannel();
  channel.on("error", () => undefined);
  return channel.checkQueue(queue).then(
    () => channel.close().then(() => true),
    () => false,
  );
}

const status = async (id: string) => (await t.db.order.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;
const payments = () => classicQueueNames(topology, "payments", DELAYS);

describe("moving from the classic queues to the quorum queues", () => {
  it("a worker of this release takes over what waits in the classic consumer, retry and dead-letter queues", async () => {
    const channel = await connection.createConfirmChannel();
    await declareClassicTopology(channel);
    const [waiting, retrying, dead] = await relayedOrders(3);
    // One in the consumer queue, one waiting out its ten-minute retry delay, one dead-lettered.
    put(channel, payments().main, waiting!, { [HEADER_ATTEMPT]: 1 });
    put(channel, payments().retries[2]!, retrying!, { [HEADER_ATTEMPT]: 3, [HEADER_REASON]: "gateway unavailable" });
    put(channel, payments().dead, dead!, { [HEADER_ATTEMPT]: 3, [HEADER_REASON]: "failed 3 times: boom" });
    await channel.waitForConfirms();

    const worker = await startWorker({
      config: pipelineConfig(t.url, { AMQP_URL: amqpUrl(), ...names, EVENT_RETRY_DELAYS_MS: DELAYS.join(",") }),
      db: t.db,
      logger,
      clients: services.clients,
      refreshSales: async () => undefined,
    });
    cleanups.push(() => worker.stop());

    await waitFor(async () => (await status(waiting!.orderId)) === "fulfilling" && (await status(retrying!.orderId)) === "fulfilling", {
      describe: "the orders from the classic consumer and retry queues to be paid",
    });
    // Every classic queue is gone; only the quorum ones remain.
    await waitFor(async () => {
      for (const consumer of consumers) {
        const classic = classicQueueNames(topology, consumer.name, DELAYS);
        for (const queue of [classic.main, classic.dead, ...classic.retries]) if (await queueExists(queue)) return false;
      }
      return true;
    }, { describe: "the classic queues to be deleted" });
    for (const consumer of consumers) expect(await queueExists(queueName(topology, consumer.name))).toBe(true);

    // The dead letter moved with its reason and is still not handled.
    const check = await connection.createChannel();
    const moved = await check.get(deadQueueName(topology, "payments"));
    expect(moved && JSON.parse(moved.content.toString("utf8"))).toMatchObject({ id: dead!.eventId, type: "order.placed" });
    expect(moved && reason(moved.properties.headers?.[HEADER_REASON])).toBe("failed 3 times: boom");
    expect(await status(dead!.orderId)).toBe("pending_payment");
    expect((await services.ledger()).payments).toEqual({ captured: 2 });
    await check.close();
  });

  it("leaves a classic queue to a worker of the earlier release while it runs, and moves what it left once it stops", async () => {
    const channel = await connection.createConfirmChannel();
    await declareClassicTopology(channel);
    await declareTopology(connection, channel, { names: topology, consumers, retryDelaysMs: DELAYS, deliveryLimit: 5, logger });
    const messages = await relayedOrders(2);
    for (const message of messages) put(channel, payments().main, message, { [HEADER_ATTEMPT]: 1 });
    await channel.waitForConfirms();

    // The earlier release's worker: it holds one message unacknowledged, the other waits behind it.
    const old = await connect(amqpUrl());
    const oldChannel = await old.createChannel();
    await oldChannel.prefetch(1);
    let held = 0;
    await oldChannel.consume(payments().main, () => void (held += 1));
    await waitFor(() => held === 1, { describe: "the old worker to take a message" });

    const options = { names: topology, consumers, retryDelaysMs: DELAYS, logger: createLogger("test", "silent"), confirmTimeoutMs: 15_000 };
    expect(await migrateClassicQueues(connection, options)).toMatchObject({ moved: 0, inUse: [payments().main] });
    expect(await queueExists(payments().main)).toBe(true);

    // It stops without acking: its message goes back to the classic queue, and the next pass moves both.
    await old.close();
    const result = await migrateClassicQueues(connection, options);
    expect(result.moved).toBe(2);
    expect(result.inUse).toEqual([]);
    expect(result.deleted).toEqual(expect.arrayContaining([payments().main, payments().dead, ...payments().retries]));
    const check = await connection.createChannel();
    expect((await check.checkQueue(queueName(topology, "payments"))).messageCount).toBe(2);
    await check.close();
  });
});

function reason(value: unknown): unknown {
  return Buffer.isBuffer(value) ? value.toString("utf8") : value;
}
