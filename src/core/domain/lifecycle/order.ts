import { appendEvents, appendEventSql } from "~/core/events/outbox";
import type { EventPayload, EventType } from "~/core/events/definitions";
import { Prisma } from "~/lib/db";
import { minorNumbers } from "~/core/money";
import type { OrderStatus, PaymentStatus } from "~/generated/prisma/enums";
import { firstPaymentKey, PAYMENT_GATEWAY, PAYMENT_TRANSITIONS, type PaymentMove } from "./payment";
import { creation, findTransition, sourcesOf, statusList, transitionEvents, type Transition, type TransitionTable } from "./table";

type Tx = Prisma.TransactionClient;

/** What makes an order's status move; each name is a lifecycle function's (see the table). */
export type OrderMove = "place" | "pay" | "cancel" | "fulfil";

/**
 * An order's life. Checkout places it (openOrderSql); the payments consumer pays it
 * (markOrderPaid) or it is cancelled while unpaid (cancelOrder: buyer, admin, expiry, a declined or
 * voided payment); after that it follows its sellers' shipments (advanceOrder: fulfilment booking
 * them, sellers handing them over, the carrier's news), never backwards.
 */
export const ORDER_TRANSITIONS: TransitionTable<OrderStatus, OrderMove> = [
  { on: "place", from: [null], to: "pending_payment", events: ["order.placed"] },
  { on: "pay", from: ["pending_payment"], to: "paid", events: ["order.paid"] },
  { on: "cancel", from: ["pending_payment"], to: "cancelled", events: ["order.cancelled"] },
  // A part booked or handed over while others are not yet on their way.
  { on: "fulfil", from: ["paid"], to: "fulfilling", events: [] },
  { on: "fulfil", from: ["paid", "fulfilling"], to: "shipped", events: [] },
  { on: "fulfil", from: ["fulfilling", "shipped"], to: "delivered", events: [] },
];

/** Orders whose sellers' parts may still get a shipment: booked by fulfilment, or handed over by the seller. */
export const SHIPPABLE_ORDER_STATUSES: readonly OrderStatus[] = ["paid", "fulfilling", "shipped"];

/** Orders whose status follows the carrier's news about their shipments. */
export const AWAITING_DELIVERY_ORDER_STATUSES: readonly OrderStatus[] = ["fulfilling", "shipped"];

/** Orders counted as sales (analytics, reports, customer statistics): paid and not cancelled. */
export const COUNTED_ORDER_STATUSES = ["paid", "fulfilling", "shipped", "delivered"] as const satisfies readonly OrderStatus[];

export interface LockedOrder {
  id: string;
  number: number;
  buyerId: string;
  status: OrderStatus;
  totalMinor: number;
  currency: string;
  reservationId: string | null;
}

/** LockedOrder as a raw statement returns it: BIGINT money as bigint. */
type LockedOrderRow = Omit<LockedOrder, "totalMinor"> & { totalMinor: bigint };

export type TransitionResult = { ok: true; order: LockedOrder } | { ok: false; reason: "not_found" } | { ok: false; reason: "wrong_status"; status: OrderStatus };

/** A cancellation that also settles a named payment can be refused for that payment's status. */
export type PaymentTransitionResult = TransitionResult | { ok: false; reason: "payment_wrong_status"; status: PaymentStatus | null };

/** SELECT ... FOR UPDATE: the row stays locked until the caller's transaction ends, so concurrent moves serialise. */
export async function lockOrder(tx: Tx, orderId: string): Promise<LockedOrder | null> {
  const rows = await tx.$queryRaw<LockedOrderRow[]>`
    SELECT id, number, "buyerId", status::text AS status, "totalMinor", currency, "reservationId"
    FROM "Order" WHERE id = ${orderId}::uuid FOR UPDATE`;
  return rows[0] ? minorNumbers(rows[0]) : null;
}

async function recordStatus(tx: Tx, orderId: string, from: OrderStatus, to: OrderStatus, reason: string | null, now: Date): Promise<void> {
  await tx.orderStatusChange.create({ data: { orderId, fromStatus: from, toStatus: to, reason, at: now }, select: { id: true } });
}

export interface NewOrder {
  id: string;
  buyerId: string;
  currency: string;
  subtotalMinor: number;
  shippingMinor: number;
  totalMinor: number;
  idempotencyKey: string;
  requestHash: string;
  reservationId: string;
  reservationExpiresAt: Date;
  shippingAddress: object;
  /** What `order.placed` says of the lines (the caller writes the OrderLine rows themselves). */
  lines: EventPayload<"order.placed">["lines"];
  now: Date;
}

/** The CTE of openOrderSql that returns the new order's `id` and `number`. */
export const OPENED_ORDER = Prisma.raw("opened_order");

/**
 * Placing an order as CTEs of the caller's one statement (checkout's single round trip, no
 * interactive transaction): `opened_order` (the order in its first status, returning id and
 * number), its first status change, its pending payment and the place transition's outbox events
 * (whose order number is the statement's serial). Use as `WITH ${openOrderSql(order)}, ... SELECT
 * ... FROM ${OPENED_ORDER}`.
 */
export function openOrderSql(order: NewOrder): Prisma.Sql {
  const placed = creation(ORDER_TRANSITIONS, "place");
  const opened = creation(PAYMENT_TRANSITIONS, "open");
  const payloads: { [T in EventType]?: Omit<EventPayload<T>, "orderNumber"> } = {
    "order.placed": {
      orderId: order.id,
      buyerId: order.buyerId,
      total: { amountMinor: order.totalMinor, currency: order.currency },
      reservationId: order.reservationId,
      lines: order.lines,
    },
  };
  const events = [...placed.events, ...opened.events].map((type, i) => {
    const payload = payloads[type];
    if (!payload) throw new Error(`placing an order writes ${type}, but no payload was given for it`);
    const event = { type, aggregateType: "order", aggregateId: order.id, payload };
    return Prisma.sql`${Prisma.raw(`opened_event_${i}`)} AS (${appendEventSql(event, { name: "opened_order", fromColumns: { orderNumber: "number" } }, order.now)})`;
  });
  return Prisma.join(
    [
      Prisma.sql`opened_order AS (
        INSERT INTO "Order" (id, "buyerId", status, currency, "subtotalMinor", "shippingMinor", "totalMinor", "idempotencyKey", "requestHash",
                             "reservationId", "reservationExpiresAt", "shippingAddress", "placedAt", "updatedAt")
        VALUES (${order.id}::uuid, ${order.buyerId}, ${placed.to}::"OrderStatus", ${order.currency}, ${order.subtotalMinor}::bigint, ${order.shippingMinor}::bigint,
                ${order.totalMinor}::bigint, ${order.idempotencyKey}, ${order.requestHash}, ${order.reservationId}, ${order.reservationExpiresAt},
                ${JSON.stringify(order.shippingAddress)}::jsonb, ${order.now}, CURRENT_TIMESTAMP)
        RETURNING id, number
      )`,
      Prisma.sql`opened_status AS (
        INSERT INTO "OrderStatusChange" (id, "orderId", "fromStatus", "toStatus", reason, at)
        SELECT gen_random_uuid(), id, NULL, ${placed.to}::"OrderStatus", 'order placed', ${order.now} FROM opened_order
      )`,
      Prisma.sql`opened_payment AS (
        INSERT INTO "Payment" (id, "orderId", gateway, "idempotencyKey", status, "amountMinor", currency, "updatedAt")
        SELECT gen_random_uuid(), id, ${PAYMENT_GATEWAY}, ${firstPaymentKey(order.id)}, ${opened.to}::"PaymentStatus", ${order.totalMinor}::bigint,
               ${order.currency}, CURRENT_TIMESTAMP
        FROM opened_order
      )`,
      ...events,
    ],
    ",\n",
  );
}

export interface MarkPaidInput {
  orderId: string;
  /** Lavka's Payment row. */
  paymentId: string;
  /** The gateway's id for the payment. */
  gatewayRef: string;
  now: Date;
}

/**
 * The gateway captured the order's payment: the order pays (`paid`) and the payment is captured,
 * with their history and events (`payment.authorized`, `order.paid`). Refused, writing nothing,
 * when either status does not allow it.
 */
export async function markOrderPaid(tx: Tx, input: MarkPaidInput): Promise<PaymentTransitionResult> {
  // Runs once per paid order (the pipeline's hot path): one statement locks the order and its
  // payment, checks both statuses against the tables, moves both and records the history.
  const updated = await tx.$queryRaw<(Omit<LockedOrderRow, "status"> & { fromStatus: OrderStatus; paymentFrom: PaymentStatus })[]>`
    WITH locked AS (
      SELECT o.id, o.status, p.status AS "paymentStatus"
      FROM "Order" o JOIN "Payment" p ON p."orderId" = o.id AND p.id = ${input.paymentId}::uuid
      WHERE o.id = ${input.orderId}::uuid
      FOR UPDATE
    ), moved AS (
      UPDATE "Order" o SET status = 'paid', "paidAt" = ${input.now}, "updatedAt" = ${input.now}
      FROM locked
      WHERE o.id = locked.id AND locked.status IN (${statusList(sourcesOf(ORDER_TRANSITIONS, "pay", "paid"))})
        AND locked."paymentStatus" IN (${statusList(sourcesOf(PAYMENT_TRANSITIONS, "capture", "captured"))})
      RETURNING o.id, o.number, o."buyerId", o."totalMinor", o.currency, o."reservationId", locked.status AS "fromStatus", locked."paymentStatus" AS "paymentFrom"
    ), capture AS (
      UPDATE "Payment" SET status = 'captured', "gatewayRef" = ${input.gatewayRef}, "failureReason" = NULL, "updatedAt" = ${input.now}
      WHERE id = ${input.paymentId}::uuid AND EXISTS (SELECT 1 FROM moved)
    ), history AS (
      INSERT INTO "OrderStatusChange" (id, "orderId", "fromStatus", "toStatus", at)
      SELECT gen_random_uuid(), id, "fromStatus", 'paid', ${input.now} FROM moved
    )
    SELECT id, number, "buyerId", "totalMinor", currency, "reservationId", "fromStatus"::text AS "fromStatus", "paymentFrom"::text AS "paymentFrom" FROM moved`;
  const row = updated[0];
  if (!row) {
    const current = await lockOrder(tx, input.orderId);
    if (!current) return { ok: false, reason: "not_found" };
    if (!sourcesOf(ORDER_TRANSITIONS, "pay", "paid").includes(current.status)) return { ok: false, reason: "wrong_status", status: current.status };
    const payment = await tx.payment.findFirst({ where: { id: input.paymentId, orderId: input.orderId }, select: { status: true } });
    return { ok: false, reason: "payment_wrong_status", status: payment?.status ?? null };
  }
  const { fromStatus, paymentFrom, ...order } = minorNumbers(row);
  const paid = findTransition(ORDER_TRANSITIONS, "pay", fromStatus, "paid")!;
  const captured = findTransition(PAYMENT_TRANSITIONS, "capture", paymentFrom, "captured")!;
  const ref = { orderId: order.id, orderNumber: order.number };
  const total = { amountMinor: order.totalMinor, currency: order.currency };
  await appendEvents(
    tx,
    [
      ...transitionEvents(captured, order.id, { "payment.authorized": { ...ref, paymentId: input.paymentId, gatewayRef: input.gatewayRef, amount: total } }),
      ...transitionEvents(paid, order.id, { "order.paid": { ...ref, buyerId: order.buyerId, total, paidAt: input.now.toISOString() } }),
    ],
    input.now,
  );
  return { ok: true, order: { ...order, status: paid.to } };
}

export interface CancelOrderInput {
  orderId: string;
  /** Shown to the buyer: say why, in words they understand. */
  reason: string;
  now?: Date;
}

/** The payment a cancellation settles, with what the gateway said about it. */
interface Settlement {
  on: Extract<PaymentMove, "decline" | "abandon">;
  paymentId: string;
  failureReason: string;
  gatewayRef?: string | null | undefined;
}

/**
 * pending_payment -> cancelled, with the reason, and `order.cancelled` in the outbox. Payments
 * still pending are abandoned (failed with the order's reason); the settled one, if named, fails
 * with its own reason first. The worker reacts to `order.cancelled` by releasing the stock
 * reservation and voiding any authorization, so callers never call the inventory service or the
 * gateway themselves.
 */
async function cancel(tx: Tx, input: CancelOrderInput): Promise<TransitionResult>;
async function cancel(tx: Tx, input: CancelOrderInput, settlement: Settlement): Promise<PaymentTransitionResult>;
async function cancel(tx: Tx, input: CancelOrderInput, settlement?: Settlement): Promise<PaymentTransitionResult> {
  const now = input.now ?? new Date();
  const order = await lockOrder(tx, input.orderId);
  if (!order) return { ok: false, reason: "not_found" };
  const cancelled = findTransition(ORDER_TRANSITIONS, "cancel", order.status, "cancelled");
  if (!cancelled) return { ok: false, reason: "wrong_status", status: order.status };
  let settled: Transition<PaymentStatus, PaymentMove> | undefined;
  if (settlement) {
    const payment = await tx.payment.findFirst({ where: { id: settlement.paymentId, orderId: order.id }, select: { status: true } });
    settled = findTransition(PAYMENT_TRANSITIONS, settlement.on, payment?.status ?? null, "failed");
    if (!settled) return { ok: false, reason: "payment_wrong_status", status: payment?.status ?? null };
    await tx.payment.update({
      where: { id: settlement.paymentId },
      data: { status: settled.to, failureReason: settlement.failureReason, ...(settlement.gatewayRef ? { gatewayRef: settlement.gatewayRef } : {}), updatedAt: now },
      select: { id: true },
    });
  }
  await tx.order.update({ where: { id: order.id }, data: { status: cancelled.to, cancelReason: input.reason, cancelledAt: now, updatedAt: now }, select: { id: true } });
  // A payment never attempted will not be: the buyer sees it failed with the order's reason.
  await tx.payment.updateMany({
    where: { orderId: order.id, status: { in: sourcesOf(PAYMENT_TRANSITIONS, "abandon", "failed") } },
    data: { status: "failed", failureReason: input.reason, updatedAt: now },
  });
  await recordStatus(tx, order.id, order.status, cancelled.to, input.reason, now);
  const ref = { orderId: order.id, orderNumber: order.number };
  await appendEvents(
    tx,
    [
      ...transitionEvents(cancelled, order.id, { "order.cancelled": { ...ref, reason: input.reason } }),
      ...(settled && settlement ? transitionEvents(settled, order.id, { "payment.failed": { ...ref, paymentId: settlement.paymentId, reason: settlement.failureReason } }) : []),
    ],
    now,
  );
  return { ok: true, order: { ...order, status: cancelled.to } };
}

/**
 * The buyer, an admin or expiry cancels an unpaid order (see `cancel`). Returns `wrong_status`
 * when the order is no longer unpaid (already paid, or already cancelled).
 */
export function cancelOrder(tx: Tx, input: CancelOrderInput): Promise<TransitionResult> {
  return cancel(tx, input);
}

export interface PaymentFailureInput {
  orderId: string;
  paymentId: string;
  /** The gateway's words (e.g. "insufficient funds"); the buyer sees them in the cancel reason. */
  reason: string;
  gatewayRef?: string | null;
  now: Date;
}

/** A declined payment: the payment fails (`payment.failed`) and the order is cancelled with the reason. */
export function failOrderPayment(tx: Tx, input: PaymentFailureInput): Promise<PaymentTransitionResult> {
  return cancel(tx, { orderId: input.orderId, reason: `Payment failed: ${input.reason}`, now: input.now }, {
    on: "decline",
    paymentId: input.paymentId,
    failureReason: input.reason,
    gatewayRef: input.gatewayRef,
  });
}

export interface VoidPaymentInput {
  orderId: string;
  paymentId: string;
  /** The authorization Lavka voided at the gateway. */
  gatewayRef: string;
  /** Why the order is cancelled, for the buyer. */
  reason: string;
  /** Why the payment failed, as stored on it. */
  failureReason: string;
  now: Date;
}

/** An authorized payment voided by Lavka (the stock it paid for is gone): the order is cancelled, the payment abandoned. */
export function voidOrderPayment(tx: Tx, input: VoidPaymentInput): Promise<PaymentTransitionResult> {
  return cancel(tx, { orderId: input.orderId, reason: input.reason, now: input.now }, {
    on: "abandon",
    paymentId: input.paymentId,
    failureReason: input.failureReason,
    gatewayRef: input.gatewayRef,
  });
}

/**
 * The order follows its shipments: moves to `to` when a fulfil row allows it from the order's
 * status (locked by the caller), with its history. Anything else, a move backwards included, is
 * refused and writes nothing.
 */
export async function advanceOrder(tx: Tx, order: LockedOrder, to: OrderStatus, input: { reason: string | null; now: Date }): Promise<TransitionResult> {
  const row = findTransition(ORDER_TRANSITIONS, "fulfil", order.status, to);
  if (!row) return { ok: false, reason: "wrong_status", status: order.status };
  await tx.order.update({ where: { id: order.id }, data: { status: row.to, updatedAt: input.now }, select: { id: true } });
  await recordStatus(tx, order.id, order.status, row.to, input.reason, input.now);
  if (row.events.length > 0) await appendEvents(tx, transitionEvents(row, order.id, {}), input.now);
  return { ok: true, order: { ...order, status: row.to } };
}
