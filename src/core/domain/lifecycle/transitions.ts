import { appendEvent, appendEvents } from "~/core/events/outbox";
import type { Prisma } from "~/lib/db";
import { minorNumbers } from "~/core/money";
import type { OrderStatus } from "~/generated/prisma/enums";

/**
 * Order status transitions shared by the API (buyer cancels) and the worker (payment outcome,
 * expiry). Each runs inside the caller's transaction, locks the order row first so concurrent
 * transitions serialise, writes the status history and the outbox events with the change.
 */

type Tx = Prisma.TransactionClient;

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

/** SELECT ... FOR UPDATE: the row stays locked until the caller's transaction ends. */
export async function lockOrder(tx: Tx, orderId: string): Promise<LockedOrder | null> {
  const rows = await tx.$queryRaw<LockedOrderRow[]>`
    SELECT id, number, "buyerId", status::text AS status, "totalMinor", currency, "reservationId"
    FROM "Order" WHERE id = ${orderId}::uuid FOR UPDATE`;
  return rows[0] ? minorNumbers(rows[0]) : null;
}

async function recordStatus(tx: Tx, orderId: string, from: OrderStatus, to: OrderStatus, reason: string | null, now: Date): Promise<void> {
  await tx.orderStatusChange.create({ data: { orderId, fromStatus: from, toStatus: to, reason, at: now }, select: { id: true } });
}

export interface MarkPaidInput {
  orderId: string;
  /** Lavka's Payment row. */
  paymentId: string;
  /** The gateway's id for the payment. */
  gatewayRef: string;
  now: Date;
}

/** pending_payment -> paid; the payment becomes captured; `payment.authorized` and `order.paid` are written. */
export async function markOrderPaid(tx: Tx, input: MarkPaidInput): Promise<TransitionResult> {
  // Runs once per paid order (the pipeline's hot path): one statement locks and checks the order,
  // moves it, captures the payment and records the history.
  const updated = await tx.$queryRaw<Omit<LockedOrderRow, "status">[]>`
    WITH moved AS (
      UPDATE "Order" SET status = 'paid', "paidAt" = ${input.now}, "updatedAt" = ${input.now}
      WHERE id = ${input.orderId}::uuid AND status = 'pending_payment'
      RETURNING id, number, "buyerId", "totalMinor", currency, "reservationId"
    ), captured AS (
      UPDATE "Payment" SET status = 'captured', "gatewayRef" = ${input.gatewayRef}, "failureReason" = NULL, "updatedAt" = ${input.now}
      WHERE id = ${input.paymentId}::uuid AND EXISTS (SELECT 1 FROM moved)
    ), history AS (
      INSERT INTO "OrderStatusChange" (id, "orderId", "fromStatus", "toStatus", at)
      SELECT gen_random_uuid(), id, 'pending_payment', 'paid', ${input.now} FROM moved
    )
    SELECT * FROM moved`;
  const order = updated[0] && minorNumbers(updated[0]);
  if (!order) {
    const current = await lockOrder(tx, input.orderId);
    return current ? { ok: false, reason: "wrong_status", status: current.status } : { ok: false, reason: "not_found" };
  }
  const ref = { orderId: order.id, orderNumber: order.number };
  const total = { amountMinor: order.totalMinor, currency: order.currency };
  await appendEvents(
    tx,
    [
      {
        type: "payment.authorized",
        aggregateType: "order",
        aggregateId: order.id,
        payload: { ...ref, paymentId: input.paymentId, gatewayRef: input.gatewayRef, amount: total },
      },
      {
        type: "order.paid",
        aggregateType: "order",
        aggregateId: order.id,
        payload: { ...ref, buyerId: order.buyerId, total, paidAt: input.now.toISOString() },
      },
    ],
    input.now,
  );
  return { ok: true, order: { ...order, status: "paid" } };
}

export interface CancelOrderInput {
  orderId: string;
  /** Shown to the buyer: say why, in words they understand. */
  reason: string;
  now?: Date;
}

/**
 * pending_payment -> cancelled, with the reason, and `order.cancelled` in the outbox. The worker
 * reacts to that event by releasing the stock reservation and voiding any authorization, so
 * callers never call the inventory service or the gateway themselves.
 * Returns `wrong_status` when the order is no longer unpaid (already paid, or already cancelled).
 */
export async function cancelOrder(tx: Tx, input: CancelOrderInput): Promise<TransitionResult> {
  const now = input.now ?? new Date();
  const order = await lockOrder(tx, input.orderId);
  if (!order) return { ok: false, reason: "not_found" };
  if (order.status !== "pending_payment") return { ok: false, reason: "wrong_status", status: order.status };
  await tx.order.update({
    where: { id: order.id },
    data: { status: "cancelled", cancelReason: input.reason, cancelledAt: now },
    select: { id: true },
  });
  // A payment never attempted will not be: the buyer sees it failed with the order's reason.
  await tx.payment.updateMany({ where: { orderId: order.id, status: "pending" }, data: { status: "failed", failureReason: input.reason } });
  await recordStatus(tx, order.id, order.status, "cancelled", input.reason, now);
  await appendEvent(
    tx,
    {
      type: "order.cancelled",
      aggregateType: "order",
      aggregateId: order.id,
      payload: { orderId: order.id, orderNumber: order.number, reason: input.reason },
    },
    now,
  );
  return { ok: true, order: { ...order, status: "cancelled" } };
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
export async function failOrderPayment(tx: Tx, input: PaymentFailureInput): Promise<TransitionResult> {
  const result = await cancelOrder(tx, { orderId: input.orderId, reason: `Payment failed: ${input.reason}`, now: input.now });
  if (!result.ok) return result;
  await tx.payment.update({
    where: { id: input.paymentId },
    data: { status: "failed", failureReason: input.reason, ...(input.gatewayRef ? { gatewayRef: input.gatewayRef } : {}) },
    select: { id: true },
  });
  await appendEvent(
    tx,
    {
      type: "payment.failed",
      aggregateType: "order",
      aggregateId: result.order.id,
      payload: { orderId: result.order.id, orderNumber: result.order.number, paymentId: input.paymentId, reason: input.reason },
    },
    input.now,
  );
  return result;
}
