import { addressSchema } from "~/core/integrations/carrier";
import { advanceOrder, bookShipments, lockOrder, SHIPPABLE_ORDER_STATUSES, type CarrierBooking } from "~/core/domain/lifecycle";
import type { Consumer } from "../messaging/consumer";
import type { PipelineClients } from "../pipeline-clients";

export interface FulfilmentConsumerOptions {
  clients: Pick<PipelineClients, "carrier">;
  /** Carrier name shown to buyers and stored on each shipment. */
  carrierName: string;
  /** No product weights yet: each unit counts as this many grams. */
  gramsPerUnit?: number;
}

/**
 * order.paid -> one shipment with the carrier for each seller's part that has none yet
 * (idempotency key order:seller, so a retry gets the same carrier shipment), then, in one
 * transaction under the order's row lock, the Shipment rows, the order lines linked to them, a
 * `shipment.created` each and, if the order is still `paid`, its move to `fulfilling`.
 * Parts are booked whatever the order's status (paid, fulfilling, shipped): a seller may have
 * marked their own part shipped by hand (orders.markShipped) before this ran, and the other
 * sellers' parts must still go out. A part is never booked twice: Shipment is unique per
 * (order, seller) and markShipped takes the same row lock, so the check under the lock decides.
 */
export function createFulfilmentConsumer(options: FulfilmentConsumerOptions): Consumer {
  const gramsPerUnit = options.gramsPerUnit ?? 500;
  return {
    name: "fulfilment",
    events: ["order.paid"],
    async handle(event, ctx) {
      if (event.type !== "order.paid") return;
      const order = await ctx.db.order.findUnique({
        where: { id: event.payload.orderId },
        select: { id: true, number: true, status: true, shippingAddress: true, lines: { select: { sellerId: true, quantity: true } }, shipments: { select: { sellerId: true } } },
      });
      if (!order) throw new Error(`Order ${event.payload.orderId} does not exist`);
      // Paid, or already partly shipped by a seller by hand: parts may still need booking.
      if (!SHIPPABLE_ORDER_STATUSES.includes(order.status)) return;

      const units = new Map<string, number>();
      for (const line of order.lines) units.set(line.sellerId, (units.get(line.sellerId) ?? 0) + line.quantity);
      for (const shipment of order.shipments) units.delete(shipment.sellerId); // shipped (or booked) already
      if (units.size === 0 && order.status !== "paid") return;
      const recipient = addressSchema.safeParse(order.shippingAddress);
      if (!recipient.success) throw new Error(`Order ${order.id} has no usable shipping address: ${recipient.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);

      const bookings: CarrierBooking[] = [];
      for (const [sellerId, count] of units) {
        const shipment = await options.clients.carrier.createShipment({
          orderRef: order.id,
          recipient: recipient.data,
          parcels: [{ weightGrams: count * gramsPerUnit }],
          idempotencyKey: `${order.id}:${sellerId}`,
        });
        bookings.push({ sellerId, carrier: options.carrierName, carrierRef: shipment.carrierRef, trackingNumber: shipment.trackingNumber });
      }

      await ctx.commit(async (tx) => {
        const now = ctx.now();
        const locked = await lockOrder(tx, order.id);
        if (!locked || !SHIPPABLE_ORDER_STATUSES.includes(locked.status)) return; // cancelled meanwhile
        // Checked again under the lock: a seller who shipped by hand since the read above keeps their shipment.
        const { refused } = await bookShipments(tx, locked, bookings, now);
        for (const part of refused) {
          const carrierRef = bookings.find((b) => b.sellerId === part.sellerId)?.carrierRef;
          ctx.logger.warn({ orderId: order.id, sellerId: part.sellerId, carrierRef }, "seller shipped this part by hand while it was being booked; carrier booking left unused");
        }
        // A paid order is now being fulfilled; one already further along stays where it is.
        await advanceOrder(tx, locked, "fulfilling", { reason: null, now });
      });
    },
  };
}
