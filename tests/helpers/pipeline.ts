// Pipeline test kit: orders written straight to the database with their order.placed outbox
// events and a real reservation in the reference inventory (as checkout does), the reference
// payment gateway, inventory and carrier as real HTTP servers with the worker's real clients,
// a TCP proxy to cut the worker off RabbitMQ, and counting helpers (waitFor is in ./wait).
import { randomUUID } from "node:crypto";
import net from "node:net";
import { Writable } from "node:stream";
import { connect } from "amqplib";
import pino from "pino";
import { Registry } from "prom-client";
import { eventPayloads } from "~/core/events/definitions";
import { toEnvelope } from "~/core/events/outbox";
import { createDb, type Db, type Prisma } from "~/lib/db";
import { createLogger, type Logger } from "~/lib/logger";
import { processorConfigSchema, type ProcessorConfig } from "~/processor/config";
import { dispatch, type Consumer, type DispatchDeps, type Outcome } from "~/processor/messaging/consumer";
import { createPipelineMetrics } from "~/processor/messaging/metrics";
import { classicQueueNames, deadQueueName, queueName, retryQueueName } from "~/processor/messaging/amqp/topology";
import { createCarrierClient, type CarrierClient } from "~/core/integrations/carrier";
import type { ClientOptions } from "~/core/integrations/http";
import { createInventoryClient, type InventoryClient } from "~/core/integrations/inventory";
import { createPaymentClient, type PaymentClient } from "~/core/integrations/payment";
import { startCarrierService, type RunningCarrierService } from "../../reference/carrier/server";
import { startInventoryService, type InventoryServiceOptions, type RunningInventoryService } from "../../reference/inventory/server";
import { startPaymentService, type PaymentServiceOptions, type RunningPaymentService } from "../../reference/payment/server";
import { createProduct, createSellerUser, createUser } from "./fixtures";
import { CALL_TIMEOUT_MS } from "./wait";

export const AMQP_HOST = "127.0.0.1";
export const AMQP_PORT = 5672;
export const amqpUrl = (port = AMQP_PORT) => `amqp://guest:guest@${AMQP_HOST}:${port}`;

export function testLogger(): Logger {
  return createLogger("pipeline-test", process.env.LOG_LEVEL ?? "silent");
}

/** A logger that keeps the messages it is given: tests wait for what the worker says it did. */
export function recordingLogger(): { logger: Logger; messages: string[] } {
  const messages: string[] = [];
  const sink = new Writable({
    write(line: Buffer, _encoding, done) {
      messages.push((JSON.parse(line.toString("utf8")) as { msg: string }).msg);
      done();
    },
  });
  return { logger: pino({ level: "info" }, sink), messages };
}

/** Worker configuration for tests: short retry delays and polls, unique broker names. */
export function pipelineConfig(databaseUrl: string, overrides: Record<string, string | undefined> = {}): ProcessorConfig {
  return processorConfigSchema.parse({
    DATABASE_URL: databaseUrl,
    EVENT_RETRY_DELAYS_MS: "50,100,200",
    EVENT_MAX_ATTEMPTS: "3",
    OUTBOX_POLL_MS: "100",
    EVENT_LEASE_MS: "1500",
    AMQP_PREFETCH: "32",
    // The scheduled passes are exercised by their own tests; keep them out of the way here.
    EXPIRY_INTERVAL_MS: "3600000",
    TRACKING_POLL_INTERVAL_MS: "3600000",
    ...overrides,
  });
}

export function uniqueNames(): { AMQP_EXCHANGE: string; AMQP_QUEUE_PREFIX: string } {
  const tag = randomUUID().slice(0, 8);
  return { AMQP_EXCHANGE: `lavka.test.${tag}.events`, AMQP_QUEUE_PREFIX: `lavka.test.${tag}` };
}

/** Deletes a test's exchange and queues from the shared broker. */
export async function deleteTopology(names: { AMQP_EXCHANGE: string; AMQP_QUEUE_PREFIX: string }, consumers: readonly Consumer[] | readonly string[], delaysMs: readonly number[]): Promise<void> {
  const connection = await connect(amqpUrl());
  const channel = await connection.createChannel();
  const topology = { exchange: names.AMQP_EXCHANGE, queuePrefix: names.AMQP_QUEUE_PREFIX };
  for (const consumer of consumers) {
    const name = typeof consumer === "string" ? consumer : consumer.name;
    const classic = classicQueueNames(topology, name, delaysMs);
    for (const queue of [queueName(topology, name), deadQueueName(topology, name), ...delaysMs.map((ms) => retryQueueName(topology, name, ms)), classic.main, classic.dead, ...classic.retries]) {
      await channel.deleteQueue(queue);
    }
  }
  await channel.deleteExchange(names.AMQP_EXCHANGE);
  await connection.close();
}

export interface World {
  buyerId: string;
  sellerId: string;
  productId: string;
  sku: string;
  /** Where placeOrders reserves the stock of each order. */
  inventory: InventoryClient;
}

/** A buyer, a seller and a product with plenty of stock in the reference inventory. */
export async function createWorld(db: Db, inventory: InventoryClient): Promise<World> {
  const buyer = await createUser(db, "buyer");
  const seller = await createSellerUser(db);
  const product = await createProduct(db, seller.sellerId, { priceMinor: 10_000 });
  await inventory.setStock(product.sku, 1_000_000);
  return { buyerId: buyer.id, sellerId: seller.sellerId, productId: product.id, sku: product.sku, inventory };
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return results;
}

export const ADDRESS = { name: "Ada Buyer", line1: "1 Test Street", city: "Berlin", postalCode: "10115", country: "DE" };

/** Totals ending in 13 minor units are declined by the gateways (reference and fake). */
export const DECLINED_TOTAL = 10_013;

let nextNumber = 1_000_000;

/**
 * Places orders as checkout does: one unit reserved in the reference inventory (key = order id),
 * then order, line, pending payment and order.placed, in one transaction per chunk. `total(i)`
 * picks each order's amount (DECLINED_TOTAL to get a decline).
 */
export async function placeOrders(
  db: Db,
  world: World,
  count: number,
  total: (i: number) => number = () => 10_000,
  options: { ids?: string[]; events?: boolean } = {},
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 250) {
    const chunk = await mapLimit(Array.from({ length: Math.min(250, count - start) }, (_, k) => start + k), 8, async (i) => {
      const id = options.ids?.[i] ?? randomUUID();
      const reservation = await world.inventory.reserve({ lines: [{ sku: world.sku, quantity: 1 }], idempotencyKey: id });
      return { id, number: nextNumber++, amount: total(i), reservationId: reservation.id, expiresAt: new Date(reservation.expiresAt) };
    });
    const now = new Date();
    await db.$transaction(async (tx) => {
      await tx.order.createMany({
        data: chunk.map((o) => ({
          id: o.id,
          number: o.number,
          buyerId: world.buyerId,
          currency: "EUR",
          subtotalMinor: o.amount,
          totalMinor: o.amount,
          idempotencyKey: o.id,
          reservationId: o.reservationId,
          reservationExpiresAt: o.expiresAt,
          shippingAddress: ADDRESS,
          placedAt: now,
        })),
      });
      await tx.orderLine.createMany({
        data: chunk.map((o) => ({
          orderId: o.id,
          productId: world.productId,
          sellerId: world.sellerId,
          sku: world.sku,
          title: "Test product",
          unitPriceMinor: o.amount,
          currency: "EUR",
          quantity: 1,
          lineTotalMinor: o.amount,
        })),
      });
      await tx.payment.createMany({
        data: chunk.map((o) => ({ orderId: o.id, gateway: "reference", idempotencyKey: `order-${o.id}-payment-1`, amountMinor: o.amount, currency: "EUR" })),
      });
      if (options.events === false) return;
      await tx.outboxEvent.createMany({
        data: chunk.map((o) => ({
          id: randomUUID(),
          type: "order.placed",
          version: 1,
          aggregateType: "order",
          aggregateId: o.id,
          occurredAt: now,
          payload: eventPayloads["order.placed"].parse({
            orderId: o.id,
            orderNumber: o.number,
            buyerId: world.buyerId,
            total: { amountMinor: o.amount, currency: "EUR" },
            reservationId: o.reservationId,
            lines: [{ productId: world.productId, sellerId: world.sellerId, sku: world.sku, quantity: 1, unitPriceMinor: o.amount }],
          }) as Prisma.InputJsonValue,
        })),
      });
    });
    ids.push(...chunk.map((o) => o.id));
  }
  return ids;
}

/** What dispatch() needs when a test delivers events by hand: a 10 ms retry delay, 3 attempts, metrics on their own registry. */
export function dispatchDeps(db: Db, logger: Logger): DispatchDeps {
  return { db, logger, now: () => new Date(), policy: { delaysMs: [10], maxAttempts: 3 }, metrics: createPipelineMetrics(new Registry(), db) };
}

/** Delivers the order's latest event of `type` to `consumer` through dispatch(), as a transport would. */
export async function deliverLatest(db: Db, consumer: Consumer, orderId: string, type: string, deps: DispatchDeps, attempt = 1): Promise<Outcome> {
  const row = await db.outboxEvent.findFirstOrThrow({
    where: { aggregateId: orderId, type },
    orderBy: { seq: "desc" },
    select: { id: true, seq: true, type: true, version: true, aggregateType: true, aggregateId: true, payload: true, occurredAt: true },
  });
  return dispatch(consumer, toEnvelope(row), attempt, deps);
}

/** The status of an order's stock reservation, as the inventory service holds it. */
export async function readReservationStatus(db: Db, inventory: Pick<InventoryClient, "getReservation">, orderId: string): Promise<string | undefined> {
  const { reservationId } = await db.order.findUniqueOrThrow({ where: { id: orderId }, select: { reservationId: true } });
  return (await inventory.getReservation(reservationId!))?.status;
}

export interface ReferenceServices {
  gateway: RunningPaymentService;
  inventory: RunningInventoryService;
  carrier: RunningCarrierService;
  /** Real ky clients against the three servers, as the worker builds them. */
  clients: { payment: PaymentClient; inventory: InventoryClient; carrier: CarrierClient };
  /** Requests the clients sent, by "METHOD /path" with ids replaced by ":id" (e.g. "POST /v1/payments"). */
  calls: Map<string, number>;
  /** What the services hold, read from their own schemas (ref_payment, ref_inventory, ref_carrier). */
  ledger(): Promise<Ledger>;
  close(): Promise<void>;
}

export interface Ledger {
  /** Gateway payments by status. */
  payments: Record<string, number>;
  /** Inventory reservations by status. */
  reservations: Record<string, number>;
  /** Idempotency keys of stock adjustments (restocks). */
  adjustmentKeys: string[];
  /** Carrier shipments. */
  shipments: number;
}

export const SERVICE_TOKEN = "pipeline-test-token";

const callKey = (method: string, url: string) => `${method} ${new URL(url).pathname.replace(/\/(pay_|res_)?[0-9a-f-]{20,}/g, "/:id")}`;

/**
 * The reference payment gateway, inventory service and carrier as real HTTP servers on port 0
 * against the test database, with the real clients the worker uses. `options.payment` overrides
 * the payment client's retry and breaker (the gateway-outage test wants them short);
 * `options.inventory` passes options to the inventory service (a clock for reservation expiry).
 */
export async function startReferenceServices(
  databaseUrl: string,
  options: { gateway?: Partial<PaymentServiceOptions>; inventory?: Partial<InventoryServiceOptions>; payment?: Pick<ClientOptions, "retry" | "breaker"> } = {},
): Promise<ReferenceServices> {
  const base = { databaseUrl, port: 0, serviceToken: SERVICE_TOKEN, poolSize: 4 };
  const [gateway, inventory, carrier] = await Promise.all([
    startPaymentService({ ...base, ...options.gateway }),
    startInventoryService({ ...base, poolSize: 8, ...options.inventory }),
    startCarrierService(base),
  ]);
  const calls = new Map<string, number>();
  const counting: typeof fetch = (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const key = callKey(request.method, request.url);
    calls.set(key, (calls.get(key) ?? 0) + 1);
    return fetch(input, init);
  };
  const logger = testLogger();
  // A loaded machine is not an outage: a call may take as long as its test.
  const common = { serviceToken: SERVICE_TOKEN, logger, fetch: counting, timeoutMs: CALL_TIMEOUT_MS };
  const clients = {
    payment: createPaymentClient({ ...common, baseUrl: gateway.url, ...options.payment }),
    inventory: createInventoryClient({ ...common, baseUrl: inventory.url }),
    carrier: createCarrierClient({ ...common, baseUrl: carrier.url }),
  };
  const sql = createDb(databaseUrl, { maxConnections: 1 });
  const byStatus = async (table: string) => {
    const rows = await sql.$queryRawUnsafe<{ status: string; n: number }[]>(`SELECT status, count(*)::int AS n FROM ${table} GROUP BY status`);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  };
  return {
    gateway,
    inventory,
    carrier,
    clients,
    calls,
    async ledger() {
      const keys = await sql.$queryRawUnsafe<{ idempotency_key: string }[]>("SELECT idempotency_key FROM ref_inventory.adjustments ORDER BY idempotency_key");
      const [{ n }] = await sql.$queryRawUnsafe<[{ n: number }]>("SELECT count(*)::int AS n FROM ref_carrier.shipments");
      return { payments: await byStatus("ref_payment.payments"), reservations: await byStatus("ref_inventory.reservations"), adjustmentKeys: keys.map((k) => k.idempotency_key), shipments: n };
    },
    async close() {
      await sql.$disconnect();
      await Promise.all([gateway.close(), inventory.close(), carrier.close()]);
    },
  };
}

/**
 * A TCP proxy in front of RabbitMQ. `cut()` destroys every open connection and refuses new ones
 * until `restore()`: to the worker this is exactly a broker outage (the machine's broker is shared
 * with other test runs, so it is not stopped for real).
 */
export async function startTcpProxy(targetPort = AMQP_PORT): Promise<{ port: number; cut(): void; restore(): void; refused(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let down = false;
  let refused = 0;
  const server = net.createServer((client) => {
    if (down) {
      refused += 1;
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, AMQP_HOST);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, AMQP_HOST, resolve));
  const port = (server.address() as net.AddressInfo).port;
  const cut = () => {
    down = true;
    for (const s of sockets) s.destroy();
  };
  return {
    port,
    cut,
    restore: () => {
      down = false;
    },
    /** Connections refused while cut: the worker noticed the outage and tried to reconnect. */
    refused: () => refused,
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function statusCounts(db: Db, orderIds?: string[]): Promise<Record<string, number>> {
  const rows = await db.order.groupBy({ by: ["status"], where: orderIds ? { id: { in: orderIds } } : {}, _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}

export async function eventCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.outboxEvent.groupBy({ by: ["type"], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.type, r._count._all]));
}

export async function processedCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.processedMessage.groupBy({ by: ["consumer"], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.consumer, r._count._all]));
}
