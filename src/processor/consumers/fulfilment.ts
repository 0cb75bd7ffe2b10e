import { appendEvent } from "~/events/outbox";
import { addressSchema, type Shipment as CarrierShipment } from "~/server/clients/carrier";
import type { Consumer } from "../messaging/consumer";
import type { PipelineClients } from "./deps";

export interface FulfilmentConsumerOptions {
  clients: Pick<PipelineClients, "carrier">;
  /** Carrier name shown to buyers and stored on each shipment. */
  carrierName: string;
  /** No product weights yet: each unit counts as this many grams. */
  gramsPerUnit?: number;
}

/**
 * order.paid -> one shipment per seller with the carrier (idempotency key order:seller, so a
 * retry gets the same carrier shipment), then, in one transaction, the Shipment rows, the
 * order lines linked to them, the order moved to fulfilling and a `shipment.created` each.
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
      if (order.status !== "paid") return;
      const recipient = addressSchema.safeParse(order.shippingAddress);
      if (!recipient.success) throw new Error(`Order ${order.id} has no usable shipping address: ${recipient.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);

      const units = new Map<string, number>();
      for (const line of order.lines) units.set(line.sellerId, (units.get(line.sellerId) ?? 0) + line.quantity);
      const already = new Set(order.shipments.map((s) => s.sellerId));
      const created: { sellerId: string; shipment: CarrierShipment }[] = [];
      for (const [sellerId, count] of units) {
        if (already.has(sellerId)) continue; // the seller shipped it themselves
        const shipment = await options.clients.carrier.createShipment({
          orderRef: order.id,
          recipient: recipient.data,
          parcels: [{ weightGrams: count * gramsPerUnit }],
          idempotencyKey: `${order.id}:${sellerId}`,
        });
        created.push({ sellerId, shipment });
      }

      await ctx.commit(async (tx) => {
        const now = ctx.now();
        // Locks, checks and moves the order with its history in one statement (once per paid order).
        const moved = await tx.$executeRaw`
          WITH moved AS (
            UPDATE "Order" SET status = 'fulfilling', "updatedAt" = ${now}
            WHERE id = ${order.id}::uuid AND status = 'paid' RETURNING id
          )
          INSERT INTO "OrderStatusChange" (id, "orderId", "fromStatus", "toStatus", at)
          SELECT gen_random_uuid(), id, 'paid', 'fulfilling', ${now} FROM moved`;
        if (moved === 0) return; // cancelled or already fulfilling meanwhile
        for (const { sellerId, shipment } of created) {
          const row = await tx.shipment.create({
            data: { orderId: order.id, sellerId, carrier: options.carrierName, carrierRef: shipment.carrierRef, trackingNumber: shipment.trackingNumber, status: "created" },
            select: { id: true },
          });
          await tx.orderLine.updateMany({ where: { orderId: order.id, sellerId }, data: { shipmentId: row.id } });
          await appendEvent(
            tx,
            {
              type: "shipment.created",
              aggregateType: "order",
              aggregateId: order.id,
              payload: { orderId: order.id, orderNumber: order.number, shipmentId: row.id, sellerId, carrier: options.carrierName, trackingNumber: shipment.trackingNumber },
            },
            now,
          );
        }
      });
    },
  };
}
