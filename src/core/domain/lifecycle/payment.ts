import type { Prisma } from "~/lib/db";
import type { PaymentStatus } from "~/generated/prisma/enums";
import { creation, type TransitionTable } from "./table";

type Tx = Prisma.TransactionClient;

/** What makes a payment's status move; each name is a lifecycle function's (see the table). */
export type PaymentMove = "open" | "capture" | "decline" | "abandon";

/**
 * A payment's life. Checkout opens it with its order (openOrderSql); the payments consumer
 * captures it with the order's payment (markOrderPaid), or fails it with the gateway's decline
 * (failOrderPayment); a cancelled order abandons the payments it still waits for (cancelOrder,
 * voidOrderPayment).
 */
export const PAYMENT_TRANSITIONS: TransitionTable<PaymentStatus, PaymentMove> = [
  { on: "open", from: [null], to: "pending", events: [] },
  // Authorized and captured in one go: `payment.authorized` carries the gateway's reference.
  { on: "capture", from: ["pending"], to: "captured", events: ["payment.authorized"] },
  { on: "decline", from: ["pending"], to: "failed", events: ["payment.failed"] },
  // The order was cancelled first (buyer, expiry, stock gone): not the gateway's doing, no event of its own.
  { on: "abandon", from: ["pending"], to: "failed", events: [] },
];

/** The label stored on every payment Lavka opens: the one gateway it charges through. */
export const PAYMENT_GATEWAY = "lavka-pay";

/** Idempotency key of an order's first payment. */
export function firstPaymentKey(orderId: string): string {
  return `order-${orderId}-payment-1`;
}

/**
 * The order's latest payment; one is opened (pending) when it has none. Checkout opens every
 * order's payment; this covers orders created without one.
 */
export async function orderPayment(tx: Tx, order: { id: string; totalMinor: number; currency: string }): Promise<string> {
  const existing = await tx.payment.findFirst({ where: { orderId: order.id }, orderBy: { createdAt: "desc" }, select: { id: true } });
  if (existing) return existing.id;
  const created = await tx.payment.upsert({
    where: { idempotencyKey: firstPaymentKey(order.id) },
    create: {
      orderId: order.id,
      gateway: PAYMENT_GATEWAY,
      idempotencyKey: firstPaymentKey(order.id),
      status: creation(PAYMENT_TRANSITIONS, "open").to,
      amountMinor: order.totalMinor, currency: order.currency,
    },
    update: {},
    select: { id: true },
  });
  return created.id;
}
