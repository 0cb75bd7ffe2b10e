// Pipeline test kit: orders written straight to the database with their order.placed outbox
// events (as checkout does), in-memory stand-ins for the gateway, inventory and carrier with the
// reference services' rules (idempotency keys, decline on amounts ending in 13), a TCP proxy to
// cut the worker off RabbitMQ, and polling helpers.
import { randomUUID } from "node:crypto";
import net from "node:net";
import { connect } from "amqplib";
import { eventPayloads } from "~/events/definitions";
import type { Db, Prisma } from "~/lib/db";
import { createLogger, type Logger } from "~/lib/logger";
import { processorConfigSchema, type ProcessorConfig } from "~/processor/config";
import type { PipelineClients } from "~/processor/consumers/deps";
import type { Consumer } from "~/processor/messaging/consumer";
import { deadQueueName, queueName, retryQueueName } from "~/processor/messaging/topology";
import type { Shipment, Tracking } from "~/server/clients/carrier";
import { ExternalServiceError } from "~/server/clients/errors";
import type { Reservation, StockLevel } from "~/server/clients/inventory";
import type { Payment, RefundResult } from "~/server/clients/payment";
import { createProduct, createSellerUser, createUser } from "./fixtures";

export const AMQP_HOST = "127.0.0.1";
export const AMQP_PORT = 5672;
export const amqpUrl = (port = AMQP_PORT) => `amqp://guest:guest@${AMQP_HOST}:${port}`;

export function testLogger(): Logger {
  return createLogger("pipeline-test", process.env.LOG_LEVEL ?? "silent");
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
    await channel.deleteQueue(queueName(topology, name));
    await channel.deleteQueue(deadQueueName(topology, name));
    for (const ms of delaysMs) await channel.deleteQueue(retryQueueName(topology, name, ms));
  }
  await channel.deleteExchange(names.AMQP_EXCHANGE);
  await connection.close();
}

export interface World {
  buyerId: string;
  sellerId: string;
  productId: string;
  sku: string;
}

export async function createWorld(db: Db): Promise<World> {
  const buyer = await createUser(db, "buyer");
  const seller = await createSellerUser(db);
  const product = await createProduct(db, seller.sellerId, { priceMinor: 10_000 });
  return { buyerId: buyer.id, sellerId: seller.sellerId, productId: product.id, sku: product.sku };
}

export const ADDRESS = { name: "Ada Buyer", line1: "1 Test Street", city: "Berlin", postalCode: "10115", country: "DE" };

/** Totals ending in 13 minor units are declined by the gateways (reference and fake). */
export const DECLINED_TOTAL = 10_013;

let nextNumber = 1_000_000;

/**
 * Places orders as checkout does: order, line, pending payment and order.placed, in one
 * transaction per chunk. `total(i)` picks each order's amount (DECLINED_TOTAL to get a decline).
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
    const chunk = Array.from({ length: Math.min(250, count - start) }, (_, k) => {
      const i = start + k;
      const amount = total(i);
      return { id: options.ids?.[i] ?? randomUUID(), number: nextNumber++, amount, reservationId: `res_${randomUUID()}` };
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
          reservationExpiresAt: new Date(now.getTime() + 15 * 60_000),
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

const unavailable = (service: "payment" | "inventory" | "carrier") =>
  new ExternalServiceError({ service, kind: "unavailable", message: `The ${service} service is down (test)` });

/** In-memory gateway with the reference gateway's rules; counts every call. */
type GatewayApi = PipelineClients["payment"];
type InventoryApi = PipelineClients["inventory"];
type CarrierApi = PipelineClients["carrier"];

export class FakeGateway implements GatewayApi {
  down = false;
  /** When set, authorize waits for it before answering (a handler stuck mid-message). */
  hold: Promise<void> | null = null;
  readonly byKey = new Map<string, Payment>();
  readonly byId = new Map<string, Payment>();
  readonly calls = { authorize: 0, capture: 0, void: 0, refund: 0 };
  readonly captureKeys = new Set<string>();

  async authorize(input: Parameters<PipelineClients["payment"]["authorize"]>[0]): Promise<Payment> {
    this.calls.authorize += 1;
    if (this.hold) await this.hold;
    if (this.down) throw unavailable("payment");
    const existing = this.byKey.get(input.idempotencyKey);
    if (existing) return { ...existing, status: existing.status === "declined" ? "declined" : "authorized" };
    const now = new Date().toISOString();
    const declined = input.amount % 100 === 13;
    const payment: Payment = {
      id: `pay_${randomUUID()}`,
      status: declined ? "declined" : "authorized",
      amount: input.amount,
      currency: input.currency,
      capturedAmount: 0,
      refundedAmount: 0,
      reference: input.reference,
      declineReason: declined ? "card_declined" : null,
      createdAt: now,
      updatedAt: now,
    };
    this.byKey.set(input.idempotencyKey, payment);
    this.byId.set(payment.id, payment);
    return { ...payment };
  }

  async capture(paymentId: string, input: { idempotencyKey: string }): Promise<Payment> {
    this.calls.capture += 1;
    if (this.down) throw unavailable("payment");
    const payment = this.byId.get(paymentId)!;
    this.captureKeys.add(input.idempotencyKey);
    payment.status = "captured";
    payment.capturedAmount = payment.amount;
    return { ...payment };
  }

  async voidPayment(paymentId: string): Promise<Payment> {
    this.calls.void += 1;
    const payment = this.byId.get(paymentId)!;
    payment.status = "voided";
    return { ...payment };
  }

  async refund(paymentId: string, input: { amount: number }): Promise<RefundResult> {
    this.calls.refund += 1;
    const payment = this.byId.get(paymentId)!;
    payment.refundedAmount += input.amount;
    payment.status = "refunded";
    const refund = { id: `re_${randomUUID()}`, paymentId, amount: input.amount, currency: payment.currency, reason: null, createdAt: new Date().toISOString() };
    return { refund, payment: { ...payment } };
  }

  async findByReference(reference: string): Promise<Payment[]> {
    return [...this.byId.values()].filter((p) => p.reference === reference).map((p) => ({ ...p }));
  }
}

export class FakeInventory implements InventoryApi {
  readonly committed = new Set<string>();
  readonly released = new Set<string>();
  readonly calls = { commit: 0, release: 0 };

  private reservation(id: string, status: Reservation["status"]): Reservation {
    const now = new Date().toISOString();
    return { id, idempotencyKey: id, status, lines: [{ sku: "x", quantity: 1 }], expiresAt: now, createdAt: now, updatedAt: now };
  }

  async commitReservation(id: string): Promise<Reservation> {
    this.calls.commit += 1;
    if (this.released.has(id)) throw new ExternalServiceError({ service: "inventory", kind: "rejected", status: 409, code: "reservation_released", message: "released" });
    this.committed.add(id);
    return this.reservation(id, "committed");
  }

  async releaseReservation(id: string): Promise<Reservation> {
    this.calls.release += 1;
    if (this.committed.has(id)) throw new ExternalServiceError({ service: "inventory", kind: "rejected", status: 409, code: "reservation_committed", message: "committed" });
    this.released.add(id);
    return this.reservation(id, "released");
  }

  async getReservation(id: string): Promise<Reservation | null> {
    return this.reservation(id, this.committed.has(id) ? "committed" : this.released.has(id) ? "released" : "active");
  }

  /** Restocks by idempotency key, as the reference service does. */
  readonly restocks = new Map<string, { sku: string; delta: number }>();

  async adjustStock(sku: string, delta: number, idempotencyKey?: string): Promise<StockLevel> {
    this.restocks.set(idempotencyKey ?? randomUUID(), { sku, delta });
    return { sku, onHand: delta, reserved: 0, available: delta, updatedAt: new Date().toISOString() };
  }

  async expireReservations(): Promise<{ expired: number }> {
    return { expired: 0 };
  }
}

export class FakeCarrier implements CarrierApi {
  readonly byKey = new Map<string, Shipment>();

  async createShipment(input: Parameters<PipelineClients["carrier"]["createShipment"]>[0]): Promise<Shipment> {
    const existing = this.byKey.get(input.idempotencyKey);
    if (existing) return existing;
    const now = new Date().toISOString();
    const shipment: Shipment = {
      carrierRef: `CR-${randomUUID()}`,
      trackingNumber: `TN-${randomUUID()}`,
      orderRef: input.orderRef,
      status: "created",
      recipient: input.recipient,
      parcels: input.parcels,
      createdAt: now,
      updatedAt: now,
    };
    this.byKey.set(input.idempotencyKey, shipment);
    return shipment;
  }

  /** What getTracking answers, by tracking number. */
  readonly tracking = new Map<string, Tracking>();

  async getTracking(trackingNumber: string): Promise<Tracking | null> {
    return this.tracking.get(trackingNumber) ?? null;
  }
}

export function fakeClients(): { payment: FakeGateway; inventory: FakeInventory; carrier: FakeCarrier } {
  return { payment: new FakeGateway(), inventory: new FakeInventory(), carrier: new FakeCarrier() };
}

/**
 * A TCP proxy in front of RabbitMQ. `cut()` destroys every open connection and refuses new ones
 * until `restore()`: to the worker this is exactly a broker outage (the machine's broker is shared
 * with other test runs, so it is not stopped for real).
 */
export async function startTcpProxy(targetPort = AMQP_PORT): Promise<{ port: number; cut(): void; restore(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
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
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until `check` returns true; fails with `describe()` after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, describe: () => Promise<string> | string = () => "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${await describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
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
