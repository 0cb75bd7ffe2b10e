import { minorNumbers } from "~/core/money";
import { ExternalServiceError } from "~/core/integrations/errors";
import type { Payment as GatewayPayment } from "~/core/integrations/payment";
import { failOrderPayment, markOrderPaid, orderPayment, voidOrderPayment } from "~/core/domain/lifecycle";
import type { Consumer, ConsumerContext } from "../messaging/consumer";
import type { PipelineClients } from "../pipeline-clients";

export interface PaymentsConsumerOptions {
  clients: Pick<PipelineClients, "payment" | "inventory">;
  /** Card token for orders placed without one (demo checkouts). */
  defaultCardToken: string;
}

/**
 * What the buyer reads when the gateway refused the charge request itself (4xx: its validation,
 * an unknown card token). The gateway's own text describes its API, not the buyer's problem: it
 * goes to the logs only.
 */
export const PAYMENT_NOT_PROCESSED = "the payment could not be processed, and you were not charged. Please place the order again or contact support.";

/** Our own credentials refused: a deployment problem to retry (and dead-letter), never the buyer's fault. */
const MISCONFIGURATION = new Set(["invalid_service_token", "missing_service_token"]);

function isRejection(err: unknown): err is ExternalServiceError {
  return err instanceof ExternalServiceError && err.kind === "rejected" && !(err.code && MISCONFIGURATION.has(err.code));
}

const orderSelect = {
  id: true,
  number: true,
  status: true,
  totalMinor: true,
  currency: true,
  reservationId: true,
} as const;

/**
 * order.placed -> authorize (idempotency key = order id) -> commit the stock reservation ->
 * capture -> order paid. A decline cancels the order with the gateway's reason (the reservation
 * is released by the reservations consumer reacting to order.cancelled). An outage of the
 * gateway or the inventory service throws a transient error: the message is retried with
 * backoff and the order stays pending_payment until the service is back.
 */
export function createPaymentsConsumer(options: PaymentsConsumerOptions): Consumer {
  const { payment: gateway, inventory } = options.clients;

  /**
   * The order was cancelled (by the buyer or expiry) while a payment for it may have gone
   * through: give the money back and put committed stock back on the shelf. Every call carries
   * an idempotency key, so repeating this after a crash changes nothing.
   */
  async function undoPayment(order: { id: string; reservationId: string | null }, ctx: ConsumerContext): Promise<void> {
    for (const charge of await gateway.findByReference(order.id)) {
      if (charge.status === "authorized") await gateway.voidPayment(charge.id, { idempotencyKey: `${order.id}:void` });
      else if (charge.status === "captured" && charge.capturedAmount > charge.refundedAmount) {
        await gateway.refund(charge.id, {
          idempotencyKey: `${order.id}:refund`,
          amount: charge.capturedAmount - charge.refundedAmount,
          reason: "order cancelled",
        });
      }
    }
    if (order.reservationId) {
      const reservation = await inventory.getReservation(order.reservationId);
      if (reservation?.status === "committed") {
        const lines = await ctx.db.orderLine.findMany({ where: { orderId: order.id }, select: { sku: true, quantity: true } });
        for (const line of lines) await inventory.adjustStock(line.sku, line.quantity, `${order.id}:restock:${line.sku}`);
      }
    }
    ctx.logger.info({ orderId: order.id }, "order was cancelled during payment; payment undone");
  }

  return {
    name: "payments",
    events: ["order.placed"],
    async handle(event, ctx) {
      if (event.type !== "order.placed") return;
      const row = await ctx.db.order.findUnique({ where: { id: event.payload.orderId }, select: orderSelect });
      if (!row) throw new Error(`Order ${event.payload.orderId} does not exist`);
      const order = minorNumbers(row);
      if (order.status === "cancelled") {
        await undoPayment(order, ctx);
        return;
      }
      if (order.status !== "pending_payment") return;

      const paymentId = await orderPayment(ctx.db, order);
      let charge: GatewayPayment;
      try {
        charge = await gateway.authorize({
          amount: order.totalMinor,
          currency: order.currency,
          reference: order.id,
          paymentMethod: { type: "card", token: event.payload.paymentMethodToken ?? options.defaultCardToken },
          idempotencyKey: order.id,
        });
      } catch (err) {
        if (!isRejection(err)) throw err;
        // The gateway refused the request itself (bad amount, unknown card token): a failed payment.
        ctx.logger.warn({ orderId: order.id, status: err.status, code: err.code, detail: err.message }, "the payment gateway refused the charge request");
        await ctx.commit(async (tx) => void (await failOrderPayment(tx, { orderId: order.id, paymentId, reason: PAYMENT_NOT_PROCESSED, now: ctx.now() })));
        return;
      }
      if (charge.status === "declined") {
        const reason = charge.declineReason ?? "declined by the card issuer";
        await ctx.commit(async (tx) => void (await failOrderPayment(tx, { orderId: order.id, paymentId, reason, gatewayRef: charge.id, now: ctx.now() })));
        return;
      }
      if (charge.status !== "authorized" && charge.status !== "captured") {
        throw new Error(`Payment ${charge.id} for order ${order.id} is ${charge.status}; expected authorized or captured`);
      }

      if (order.reservationId) {
        try {
          await inventory.commitReservation(order.reservationId);
        } catch (err) {
          if (!isRejection(err)) throw err;
          // Released or expired before we got here: the stock is gone, so is the sale.
          await gateway.voidPayment(charge.id, { idempotencyKey: `${order.id}:void` });
          await ctx.commit(async (tx) => {
            await voidOrderPayment(tx, {
              orderId: order.id,
              paymentId,
              gatewayRef: charge.id,
              reason: "The reserved stock expired before the payment completed; you were not charged.",
              failureReason: "voided: reservation expired",
              now: ctx.now(),
            });
          });
          return;
        }
      }
      const captured = charge.status === "captured" ? charge : await gateway.capture(charge.id, { idempotencyKey: `${order.id}:capture` });

      await ctx.commit(async (tx) => {
        const result = await markOrderPaid(tx, { orderId: order.id, paymentId, gatewayRef: captured.id, now: ctx.now() });
        // Cancelled meanwhile: roll this back too, so the retry compensates and then records the event.
        if (!result.ok) throw new Error(`Order ${order.id} changed while paying (${result.reason === "wrong_status" ? result.status : result.reason})`);
      });
    },
  };
}
