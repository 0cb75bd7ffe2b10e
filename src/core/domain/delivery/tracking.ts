import { appendEvent } from "~/core/events/outbox";
import type { Db } from "~/lib/db";
import type { OrderStatus, ShipmentStatus } from "~/generated/prisma/enums";
import { lockOrder } from "../lifecycle/transitions";

/**
 * Carrier status updates, from the callback endpoint (API) and from the worker's polling alike.
 * Each carrier event is recorded once (TrackingEvent is unique per shipment and carrier event
 * id); the shipment only moves forward, and the order follows its shipments.
 */

export interface CarrierUpdate {
  /** The carrier's id for this event: repeats are recognised and ignored. */
  eventId: string;
  carrierRef: string;
  status: "created" | "in_transit" | "out_for_delivery" | "delivered";
  occurredAt: string | Date;
  description: string;
  location?: string | null;
}

export type CarrierUpdateResult =
  | { outcome: "unknown_shipment" }
  | { outcome: "duplicate"; shipmentId: string }
  | { outcome: "recorded"; shipmentId: string; shipmentStatus: ShipmentStatus; orderStatus: OrderStatus };

/** Forward order of a shipment's life; an older event arriving late is recorded but moves nothing. */
const SHIPMENT_RANK: Record<ShipmentStatus, number> = {
  pending: 0,
  created: 1,
  in_transit: 2,
  out_for_delivery: 3,
  delivered: 4,
  failed: 4,
  returned: 5,
};

/** The order status its shipments imply; orders not yet fulfilling are left alone. */
function orderStatusFor(current: OrderStatus, shipments: ShipmentStatus[]): OrderStatus {
  if (current !== "fulfilling" && current !== "shipped") return current;
  if (shipments.length > 0 && shipments.every((s) => s === "delivered")) return "delivered";
  if (shipments.some((s) => SHIPMENT_RANK[s] >= SHIPMENT_RANK.in_transit)) return "shipped";
  return current;
}

export async function applyCarrierUpdate(db: Db, update: CarrierUpdate, now: Date = new Date()): Promise<CarrierUpdateResult> {
  const occurredAt = new Date(update.occurredAt);
  return db.$transaction(async (tx) => {
    const shipments = await tx.$queryRaw<{ id: string; orderId: string; status: ShipmentStatus }[]>`
      SELECT id, "orderId", status::text AS status FROM "Shipment" WHERE "carrierRef" = ${update.carrierRef} FOR UPDATE`;
    const shipment = shipments[0];
    if (!shipment) return { outcome: "unknown_shipment" } as const;
    const inserted = await tx.$executeRaw`
      INSERT INTO "TrackingEvent" (id, "shipmentId", "externalId", status, description, location, "occurredAt", "receivedAt")
      VALUES (gen_random_uuid(), ${shipment.id}::uuid, ${update.eventId}, ${update.status}::"ShipmentStatus",
              ${update.description}, ${update.location ?? null}, ${occurredAt}, ${now})
      ON CONFLICT ("shipmentId", "externalId") DO NOTHING`;
    if (inserted === 0) return { outcome: "duplicate", shipmentId: shipment.id } as const;

    // A shipment always belongs to an order (foreign key), so the row exists.
    const order = (await lockOrder(tx, shipment.orderId))!;
    let shipmentStatus = shipment.status;
    if (SHIPMENT_RANK[update.status] > SHIPMENT_RANK[shipment.status]) {
      shipmentStatus = update.status;
      await tx.shipment.update({
        where: { id: shipment.id },
        data: {
          status: shipmentStatus,
          ...(update.status === "in_transit" ? { shippedAt: occurredAt } : {}),
          ...(update.status === "delivered" ? { deliveredAt: occurredAt } : {}),
        },
        select: { id: true },
      });
      await appendEvent(
        tx,
        {
          type: "shipment.status_changed",
          aggregateType: "order",
          aggregateId: order.id,
          payload: { orderId: order.id, orderNumber: order.number, shipmentId: shipment.id, status: shipmentStatus, occurredAt: occurredAt.toISOString() },
        },
        now,
      );
    } else {
      // No forward move, but the carrier did talk to us: polling should not ask again soon.
      await tx.shipment.update({ where: { id: shipment.id }, data: { updatedAt: now }, select: { id: true } });
    }

    const siblings = await tx.shipment.findMany({ where: { orderId: order.id }, select: { status: true } });
    const orderStatus = orderStatusFor(order.status, siblings.map((s) => s.status));
    if (orderStatus !== order.status) {
      await tx.order.update({ where: { id: order.id }, data: { status: orderStatus }, select: { id: true } });
      await tx.orderStatusChange.create({
        data: { orderId: order.id, fromStatus: order.status, toStatus: orderStatus, reason: update.description || null, at: now },
        select: { id: true },
      });
    }
    return { outcome: "recorded", shipmentId: shipment.id, shipmentStatus, orderStatus } as const;
  });
}
