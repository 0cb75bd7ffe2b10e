import type { Db } from "~/lib/db";
import type { OrderStatus, ShipmentStatus } from "~/generated/prisma/enums";
import { advanceOrder, applyCarrierStatus, AWAITING_DELIVERY_ORDER_STATUSES, lockOrder, SHIPPED_SHIPMENT_STATUSES } from "../lifecycle";

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

/** The order status its shipments imply; orders not yet fulfilling are left alone. */
function orderStatusFor(current: OrderStatus, shipments: ShipmentStatus[]): OrderStatus {
  if (!AWAITING_DELIVERY_ORDER_STATUSES.includes(current)) return current;
  if (shipments.length > 0 && shipments.every((s) => s === "delivered")) return "delivered";
  if (shipments.some((s) => SHIPPED_SHIPMENT_STATUSES.includes(s))) return "shipped";
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
    const moved = await applyCarrierStatus(tx, order, shipment, update.status, { occurredAt, now });
    // No forward move, but the carrier did talk to us: polling should not ask again soon.
    if (!moved.ok) await tx.shipment.update({ where: { id: shipment.id }, data: { updatedAt: now }, select: { id: true } });
    const shipmentStatus = moved.ok ? update.status : shipment.status;

    const siblings = await tx.shipment.findMany({ where: { orderId: order.id }, select: { status: true } });
    const implied = orderStatusFor(order.status, siblings.map((s) => s.status));
    const followed = implied === order.status ? null : await advanceOrder(tx, order, implied, { reason: update.description || null, now });
    const orderStatus = followed?.ok ? followed.order.status : order.status;
    return { outcome: "recorded", shipmentId: shipment.id, shipmentStatus, orderStatus } as const;
  });
}
