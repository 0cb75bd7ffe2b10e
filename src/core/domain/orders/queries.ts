import { DomainError } from "~/core/errors";
import { newestFirst, type Page } from "~/core/pagination";
import type { Db, Prisma } from "~/lib/db";
import { minorNumbers, type MinorNumbers } from "~/core/money";
import type { OrderStatus } from "~/generated/prisma/enums";
import type { Actor } from "../actor";

export const orderSummarySelect = {
  id: true,
  number: true,
  status: true,
  currency: true,
  totalMinor: true,
  placedAt: true,
  paidAt: true,
  cancelledAt: true,
  _count: { select: { lines: true } },
} satisfies Prisma.OrderSelect;

export const adminOrderSummarySelect = {
  ...orderSummarySelect,
  buyer: { select: { id: true, email: true, displayName: true } },
} satisfies Prisma.OrderSelect;

export const trackingEventSelect = {
  id: true,
  status: true,
  description: true,
  location: true,
  occurredAt: true,
} satisfies Prisma.TrackingEventSelect;

export const shipmentSummarySelect = {
  id: true,
  carrier: true,
  trackingNumber: true,
  status: true,
  createdAt: true,
  shippedAt: true,
  deliveredAt: true,
  seller: { select: { id: true, shopName: true } },
  events: { select: trackingEventSelect, orderBy: [{ occurredAt: "asc" }, { receivedAt: "asc" }] },
} satisfies Prisma.ShipmentSelect;

export const orderDetailSelect = {
  id: true,
  number: true,
  buyerId: true,
  status: true,
  currency: true,
  subtotalMinor: true,
  shippingMinor: true,
  totalMinor: true,
  shippingAddress: true,
  cancelReason: true,
  reservationExpiresAt: true,
  placedAt: true,
  paidAt: true,
  cancelledAt: true,
  lines: {
    select: {
      id: true,
      productId: true,
      sku: true,
      title: true,
      unitPriceMinor: true,
      currency: true,
      quantity: true,
      lineTotalMinor: true,
      shipmentId: true,
      seller: { select: { id: true, shopName: true } },
    },
    orderBy: { id: "asc" },
  },
  statusHistory: {
    select: { fromStatus: true, toStatus: true, reason: true, at: true },
    orderBy: { at: "asc" },
  },
  // Buyers see what happened to their money, not gateway references.
  payments: {
    select: { id: true, status: true, amountMinor: true, currency: true, failureReason: true, createdAt: true, updatedAt: true },
    orderBy: { createdAt: "asc" },
  },
  shipments: { select: shipmentSummarySelect, orderBy: { createdAt: "asc" } },
} satisfies Prisma.OrderSelect;

/** `units`: the quantities of the order's lines added up (what a cart calls items). */
export type OrderSummary = MinorNumbers<Prisma.OrderGetPayload<{ select: typeof orderSummarySelect }>> & { units: number };
export type AdminOrderSummary = MinorNumbers<Prisma.OrderGetPayload<{ select: typeof adminOrderSummarySelect }>> & { units: number };
export type OrderDetail = MinorNumbers<Prisma.OrderGetPayload<{ select: typeof orderDetailSelect }>>;

/** Every order list is newest first: (placedAt desc, id desc). */
export const byPlacedAt = newestFirst("placedAt");

/** Adds each order's unit count, in one query for the page. */
async function withUnits<T extends { id: string }>(db: Db, page: Page<T>): Promise<Page<T & { units: number }>> {
  const sums = await db.orderLine.groupBy({ by: ["orderId"], where: { orderId: { in: page.items.map((o) => o.id) } }, _sum: { quantity: true } });
  const units = new Map(sums.map((s) => [s.orderId, s._sum.quantity ?? 0]));
  return { ...page, items: page.items.map((o) => ({ ...o, units: units.get(o.id) ?? 0 })) };
}

export interface ListOrdersInput {
  limit: number;
  cursor?: string | null;
  status?: OrderStatus;
}

/** The caller's own orders, newest first. */
export async function listBuyerOrders(db: Db, buyerId: string, input: ListOrdersInput): Promise<Page<OrderSummary>> {
  const rows = await db.order.findMany({
    where: { AND: [{ buyerId, ...(input.status ? { status: input.status } : {}) }, byPlacedAt.after(input.cursor)] },
    orderBy: byPlacedAt.orderBy(),
    take: input.limit + 1,
    select: orderSummarySelect,
  });
  return withUnits(db, byPlacedAt.page(minorNumbers(rows), input.limit));
}

export interface AdminListOrdersInput extends ListOrdersInput {
  buyerId?: string;
}

/** Every order on the platform (operators), newest first. */
export async function listAllOrders(db: Db, input: AdminListOrdersInput): Promise<Page<AdminOrderSummary>> {
  const rows = await db.order.findMany({
    where: {
      AND: [
        { ...(input.status ? { status: input.status } : {}), ...(input.buyerId ? { buyerId: input.buyerId } : {}) },
        byPlacedAt.after(input.cursor),
      ],
    },
    orderBy: byPlacedAt.orderBy(),
    take: input.limit + 1,
    select: adminOrderSummarySelect,
  });
  return withUnits(db, byPlacedAt.page(minorNumbers(rows), input.limit));
}

export function orderNotFound(orderId: string): DomainError {
  return new DomainError("not_found", `you have no order with id ${orderId}`, { field: "orderId" });
}

/** One order with lines, history, payments and tracking; its buyer and admins may read it. */
export async function getOrderDetail(db: Db, actor: Actor, orderId: string): Promise<OrderDetail> {
  const order = await db.order.findUnique({ where: { id: orderId }, select: orderDetailSelect });
  // Someone else's order is reported as missing: its existence is not revealed.
  if (!order || (order.buyerId !== actor.id && actor.role !== "admin")) throw orderNotFound(orderId);
  return minorNumbers(order);
}
