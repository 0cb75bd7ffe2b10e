import { DomainError } from "~/core/errors";
import type { Db, Prisma } from "~/lib/db";
import type { Actor } from "../actor";
import { trackingEventSelect } from "../orders/queries";

export const shipmentDetailSelect = {
  id: true,
  carrier: true,
  carrierRef: true,
  trackingNumber: true,
  status: true,
  createdAt: true,
  updatedAt: true,
  shippedAt: true,
  deliveredAt: true,
  order: { select: { id: true, number: true, buyerId: true, status: true } },
  seller: { select: { id: true, shopName: true, userId: true } },
  lines: { select: { id: true, productId: true, sku: true, title: true, quantity: true }, orderBy: { id: "asc" } },
  events: { select: trackingEventSelect, orderBy: [{ occurredAt: "asc" }, { receivedAt: "asc" }] },
} satisfies Prisma.ShipmentSelect;

type ShipmentRow = Prisma.ShipmentGetPayload<{ select: typeof shipmentDetailSelect }>;

export type ShipmentDetail = Omit<ShipmentRow, "order" | "seller"> & {
  order: Omit<ShipmentRow["order"], "buyerId">;
  seller: Omit<ShipmentRow["seller"], "userId">;
};

/**
 * A shipment and its tracking timeline, for the order's buyer, the shipping seller and admins;
 * anyone else is told it does not exist.
 */
export async function getShipment(db: Db, actor: Actor, shipmentId: string): Promise<ShipmentDetail> {
  const row = await db.shipment.findUnique({ where: { id: shipmentId }, select: shipmentDetailSelect });
  const allowed = row && (actor.role === "admin" || row.order.buyerId === actor.id || row.seller.userId === actor.id);
  if (!row || !allowed) throw new DomainError("not_found", `you have no shipment with id ${shipmentId}`, { field: "shipmentId" });
  const { buyerId: _buyer, ...order } = row.order;
  const { userId: _user, ...seller } = row.seller;
  return { ...row, order, seller };
}
