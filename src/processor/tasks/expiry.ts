import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import { cancelOrder } from "~/core/domain/lifecycle";
import type { ProcessorConfig } from "../config";
import type { PipelineClients } from "../pipeline-clients";

export interface ExpiryOptions {
  db: Db;
  logger: Logger;
  clients: Pick<PipelineClients, "inventory">;
  /** Unpaid orders older than this are cancelled. */
  paymentTimeoutMs: number;
  now: () => Date;
  batchSize?: number;
}

export const EXPIRY_REASON = "Payment was not completed in time; the order was cancelled and its stock released.";

/**
 * One expiry pass: unpaid orders past the payment timeout, or whose stock reservation has
 * expired, are cancelled (order.cancelled in the outbox makes the reservations consumer release
 * the stock), then the inventory service is asked to expire its own stale reservations (ones
 * no order points at any more, e.g. a checkout that failed after reserving).
 * Several workers run this pass: each order is claimed by the query that selects it (FOR UPDATE
 * SKIP LOCKED, in the transaction that cancels it), so each is taken by one worker only.
 */
export async function expireUnpaidOrders(options: ExpiryOptions): Promise<{ cancelled: number; reservationsExpired: number; more: boolean }> {
  const now = options.now();
  const cutoff = new Date(now.getTime() - options.paymentTimeoutMs);
  const batchSize = options.batchSize ?? 200;
  let taken = 0;
  let cancelled = 0;
  for (; taken < batchSize; taken++) {
    const result = await options.db.$transaction(async (tx) => {
      const [due] = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Order"
        WHERE status = 'pending_payment' AND ("placedAt" < ${cutoff} OR "reservationExpiresAt" < ${now})
        ORDER BY "placedAt" LIMIT 1 FOR UPDATE SKIP LOCKED`;
      return due ? cancelOrder(tx, { orderId: due.id, reason: EXPIRY_REASON, now }) : null;
    });
    if (!result) break;
    if (result.ok) cancelled += 1;
  }
  let reservationsExpired = 0;
  try {
    reservationsExpired = (await options.clients.inventory.expireReservations()).expired;
  } catch (err) {
    options.logger.warn({ err }, "inventory service could not expire reservations; next pass retries");
  }
  if (cancelled > 0 || reservationsExpired > 0) options.logger.info({ cancelled, reservationsExpired }, "expired unpaid orders");
  return { cancelled, reservationsExpired, more: taken === batchSize };
}

/**
 * The expiry pass with the processor's configuration: what the worker's loop runs every
 * EXPIRY_INTERVAL_MS and what `processor job expire-orders` runs (one implementation).
 */
export function runOrderExpiry(deps: { db: Db; logger: Logger; config: Pick<ProcessorConfig, "ORDER_PAYMENT_TIMEOUT_MINUTES">; inventory: PipelineClients["inventory"]; now: () => Date }) {
  return expireUnpaidOrders({
    db: deps.db,
    logger: deps.logger,
    clients: { inventory: deps.inventory },
    paymentTimeoutMs: deps.config.ORDER_PAYMENT_TIMEOUT_MINUTES * 60_000,
    now: deps.now,
  });
}
