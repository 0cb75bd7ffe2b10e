import { DomainError } from "~/core/errors";
import { appendEvents } from "~/core/events/outbox";
import type { NewEvent } from "~/core/events/outbox";
import type { EventType } from "~/core/events/definitions";
import type { Prisma } from "~/lib/db";
import type { ShipmentStatus } from "~/generated/prisma/enums";
import { creation, findTransition, transitionEvents, type TransitionTable, type WrongStatus } from "./table";

type Tx = Prisma.TransactionClient;

/** What makes a shipment's status move; each name is a lifecycle function's (see the table). */
export type ShipmentMove = "book" | "hand_over" | "carrier";

/**
 * A shipment is one seller's part of an order (unique per order and seller). The fulfilment
 * consumer books it with the carrier (bookShipments); the seller hands it to a carrier
 * (handOverShipment), new or booked, or again after a failed delivery; the carrier's news moves
 * it forward only (applyCarrierStatus): an older event arriving late moves nothing.
 */
export const SHIPMENT_TRANSITIONS: TransitionTable<ShipmentStatus, ShipmentMove> = [
  { on: "book", from: [null], to: "created", events: ["shipment.created"] },
  { on: "hand_over", from: [null], to: "in_transit", events: ["shipment.created", "shipment.status_changed"] },
  { on: "hand_over", from: ["pending", "created", "failed", "returned"], to: "in_transit", events: ["shipment.status_changed"] },
  { on: "carrier", from: ["pending"], to: "created", events: ["shipment.status_changed"] },
  { on: "carrier", from: ["pending", "created"], to: "in_transit", events: ["shipment.status_changed"] },
  { on: "carrier", from: ["pending", "created", "in_transit"], to: "out_for_delivery", events: ["shipment.status_changed"] },
  { on: "carrier", from: ["pending", "created", "in_transit", "out_for_delivery"], to: "delivered", events: ["shipment.status_changed"] },
];

/** Shipments on their way or arrived: the seller's part has shipped. */
export const SHIPPED_SHIPMENT_STATUSES: readonly ShipmentStatus[] = ["in_transit", "out_for_delivery", "delivered"];

/** Shipments the carrier may still have news about (tracking polls ask about these). */
export const TRACKED_SHIPMENT_STATUSES: readonly ShipmentStatus[] = ["created", "in_transit", "out_for_delivery"];

/** The order a shipment belongs to, locked by the caller (lockOrder): shipment events carry its number. */
export interface ShipmentOrder {
  id: string;
  number: number;
}

/** A shipment as the caller read it under the order's lock. */
export interface CurrentShipment {
  id: string;
  status: ShipmentStatus;
}

export interface CarrierBooking {
  sellerId: string;
  /** Carrier name shown to buyers. */
  carrier: string;
  carrierRef: string;
  trackingNumber: string;
}

async function linkLines(tx: Tx, orderId: string, sellerId: string, shipmentId: string): Promise<void> {
  await tx.orderLine.updateMany({ where: { orderId, sellerId }, data: { shipmentId } });
}

/**
 * Seller parts booked with the carrier: each becomes a Shipment (`created`), with the seller's
 * lines linked to it and `shipment.created`. A part that has a shipment already (its seller
 * handed it over while it was being booked) is refused and left as it is.
 */
export async function bookShipments(tx: Tx, order: ShipmentOrder, bookings: CarrierBooking[], now: Date): Promise<{ booked: string[]; refused: (WrongStatus<ShipmentStatus> & { sellerId: string })[] }> {
  const existing = new Map((await tx.shipment.findMany({ where: { orderId: order.id }, select: { sellerId: true, status: true } })).map((s) => [s.sellerId, s.status]));
  const booked: string[] = [];
  const refused: (WrongStatus<ShipmentStatus> & { sellerId: string })[] = [];
  const events: NewEvent<EventType>[] = [];
  const row = creation(SHIPMENT_TRANSITIONS, "book");
  for (const booking of bookings) {
    const current = existing.get(booking.sellerId) ?? null;
    if (current !== null) {
      refused.push({ ok: false, reason: "wrong_status", status: current, sellerId: booking.sellerId });
      continue;
    }
    const shipment = await tx.shipment.create({
      data: { orderId: order.id, sellerId: booking.sellerId, carrier: booking.carrier, carrierRef: booking.carrierRef, trackingNumber: booking.trackingNumber, status: row.to, updatedAt: now },
      select: { id: true },
    });
    await linkLines(tx, order.id, booking.sellerId, shipment.id);
    const created = { orderId: order.id, orderNumber: order.number, shipmentId: shipment.id, sellerId: booking.sellerId, carrier: booking.carrier, trackingNumber: booking.trackingNumber };
    events.push(...transitionEvents(row, order.id, { "shipment.created": created }));
    booked.push(shipment.id);
  }
  if (events.length > 0) await appendEvents(tx, events, now);
  return { booked, refused };
}

export interface HandOver {
  sellerId: string;
  carrier: string;
  trackingNumber: string;
  now: Date;
}

/**
 * The seller handed their part to a carrier: their shipment (`current`, null when the part has
 * none yet) goes `in_transit` with this carrier and tracking number, their lines are linked to
 * it, and the events are written. A part already on its way is a conflict.
 */
export async function handOverShipment(tx: Tx, order: ShipmentOrder, current: CurrentShipment | null, input: HandOver): Promise<string> {
  const row = findTransition(SHIPMENT_TRANSITIONS, "hand_over", current?.status ?? null, "in_transit");
  const refused = () => new DomainError("conflict", `Your part of order #${order.number} is ${current?.status.replace(/_/g, " ")}; it cannot be handed to a carrier again.`);
  if (!row) throw refused();
  const data = { carrier: input.carrier, trackingNumber: input.trackingNumber, status: row.to, shippedAt: input.now, updatedAt: input.now };
  let shipmentId: string;
  if (current) {
    // Guarded by the status read: a concurrent move of this shipment refuses the hand-over.
    const moved = await tx.shipment.updateMany({ where: { id: current.id, status: current.status }, data });
    if (moved.count !== 1) throw refused();
    shipmentId = current.id;
  } else {
    shipmentId = (await tx.shipment.create({ data: { ...data, orderId: order.id, sellerId: input.sellerId }, select: { id: true } })).id;
  }
  await linkLines(tx, order.id, input.sellerId, shipmentId);
  const ref = { orderId: order.id, orderNumber: order.number, shipmentId };
  await appendEvents(
    tx,
    transitionEvents(row, order.id, {
      "shipment.created": { ...ref, sellerId: input.sellerId, carrier: input.carrier, trackingNumber: input.trackingNumber },
      "shipment.status_changed": { ...ref, status: row.to, occurredAt: input.now.toISOString() },
    }),
    input.now,
  );
  return shipmentId;
}

/**
 * The carrier's news about a shipment (locked by the caller): it moves to `to` when the table
 * allows it, with `shippedAt` or `deliveredAt` at the carrier's time and
 * `shipment.status_changed`. Anything else, a late older event, is refused and writes nothing.
 */
export async function applyCarrierStatus(
  tx: Tx,
  order: ShipmentOrder,
  shipment: CurrentShipment,
  to: ShipmentStatus,
  at: { occurredAt: Date; now: Date },
): Promise<{ ok: true } | WrongStatus<ShipmentStatus>> {
  const row = findTransition(SHIPMENT_TRANSITIONS, "carrier", shipment.status, to);
  if (!row) return { ok: false, reason: "wrong_status", status: shipment.status };
  await tx.shipment.update({
    where: { id: shipment.id },
    data: {
      status: row.to,
      ...(row.to === "in_transit" ? { shippedAt: at.occurredAt } : {}),
      ...(row.to === "delivered" ? { deliveredAt: at.occurredAt } : {}),
      updatedAt: at.now,
    },
    select: { id: true },
  });
  const changed = { orderId: order.id, orderNumber: order.number, shipmentId: shipment.id, status: row.to, occurredAt: at.occurredAt.toISOString() };
  await appendEvents(tx, transitionEvents(row, order.id, { "shipment.status_changed": changed }), at.now);
  return { ok: true };
}
