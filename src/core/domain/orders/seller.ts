import { DomainError } from "~/core/errors";
import { appendEvent } from "~/core/events/outbox";
import { Prisma, type Db } from "~/lib/db";
import { minorNumbers, type MinorNumbers } from "~/core/money";
import type { OrderStatus, ShipmentStatus } from "~/generated/prisma/enums";
import { lockOrder } from "../lifecycle/transitions";
import type { Page } from "~/core/pagination";
import { byPlacedAt } from "./queries";

function sellerOrderSelect(sellerId: string) {
  return {
    id: true,
    number: true,
    status: true,
    currency: true,
    placedAt: true,
    paidAt: true,
    shippingAddress: true,
    // Only this seller's part: other shops' lines and shipments are none of their business.
    lines: {
      where: { sellerId },
      select: { id: true, productId: true, sku: true, title: true, unitPriceMinor: true, quantity: true, lineTotalMinor: true },
      orderBy: { id: "asc" },
    },
    shipments: {
      where: { sellerId },
      select: { id: true, carrier: true, trackingNumber: true, status: true, shippedAt: true, deliveredAt: true },
    },
  } satisfies Prisma.OrderSelect;
}

type SellerOrderRow = MinorNumbers<Prisma.OrderGetPayload<{ select: ReturnType<typeof sellerOrderSelect> }>>;

export type SellerOrder = Omit<SellerOrderRow, "shipments"> & {
  /** Sum of this seller's lines, in the order's currency. */
  sellerSubtotalMinor: number;
  shipment: SellerOrderRow["shipments"][number] | null;
};

function toSellerOrder({ shipments, ...order }: SellerOrderRow): SellerOrder {
  return {
    ...order,
    sellerSubtotalMinor: order.lines.reduce((sum, line) => sum + line.lineTotalMinor, 0),
    shipment: shipments[0] ?? null,
  };
}

export interface SellerLinesInput {
  limit: number;
  cursor?: string | null;
  status?: OrderStatus;
}

/** Orders containing the seller's products, newest first, each with only the seller's lines. */
export async function listSellerOrders(db: Db, sellerId: string, input: SellerLinesInput): Promise<Page<SellerOrder>> {
  const rows = await db.order.findMany({
    where: {
      AND: [{ lines: { some: { sellerId } }, ...(input.status ? { status: input.status } : {}) }, byPlacedAt.after(input.cursor)],
    },
    orderBy: byPlacedAt.orderBy(),
    take: input.limit + 1,
    select: sellerOrderSelect(sellerId),
  });
  const page = byPlacedAt.page(rows, input.limit);
  return { items: page.items.map((row) => toSellerOrder(minorNumbers(row))), nextCursor: page.nextCursor };
}

export interface MarkShippedInput {
  orderId: string;
  carrier: string;
  trackingNumber: string;
}

const SHIPPED: ShipmentStatus[] = ["in_transit", "out_for_delivery", "delivered"];
const SHIPPABLE_ORDER: OrderStatus[] = ["paid", "fulfilling", "shipped"];

/**
 * The seller hands their part of an order to a carrier. Creates or updates the seller's shipment
 * (one per order and seller), links the seller's lines to it and moves the order to fulfilling,
 * or shipped once every seller's part is on its way. Repeating the same call is a no-op.
 */
export async function markShipped(db: Db, sellerId: string, input: MarkShippedInput, now: Date): Promise<SellerOrder> {
  try {
    await db.$transaction(async (tx) => {
      // Row lock: two sellers of one order shipping at once must agree on the order's next status.
      const order = await lockOrder(tx, input.orderId);
      // An order with nothing from this shop is reported as missing, like one that does not exist.
      const myLines = order ? await tx.orderLine.count({ where: { orderId: input.orderId, sellerId } }) : 0;
      if (!order || myLines === 0) {
        throw new DomainError("not_found", `no order with id ${input.orderId} contains products of your shop`, { field: "orderId" });
      }
      if (!SHIPPABLE_ORDER.includes(order.status)) {
        const why = order.status === "pending_payment" ? "is not paid yet; ship it once it is paid" : `is ${order.status}`;
        throw new DomainError("conflict", `Order #${order.number} ${why}.`);
      }

      const existing = await tx.shipment.findUnique({
        where: { orderId_sellerId: { orderId: input.orderId, sellerId } },
        select: { id: true, carrier: true, carrierRef: true, trackingNumber: true, status: true },
      });
      if (existing && SHIPPED.includes(existing.status)) {
        if (existing.carrier === input.carrier && existing.trackingNumber === input.trackingNumber) return;
        throw new DomainError("conflict", `Your part of order #${order.number} already shipped with ${existing.carrier} ${existing.trackingNumber ?? ""}`.trim() + ".");
      }
      if (existing?.carrierRef && (existing.carrier !== input.carrier || existing.trackingNumber !== input.trackingNumber)) {
        // Booked with the carrier by the fulfilment pipeline: its callbacks track that parcel only.
        throw new DomainError("conflict", `your part of order #${order.number} is booked with ${existing.carrier}, tracking number ${existing.trackingNumber ?? "pending"}; ship it with that label.`, { field: "trackingNumber" });
      }
      // Order-level aggregate, as the pipeline writes shipment events: one order's events stay in sequence.
      const ref = { orderId: input.orderId, orderNumber: order.number };
      const shipment = existing
        ? await tx.shipment.update({
            where: { id: existing.id },
            data: { carrier: input.carrier, trackingNumber: input.trackingNumber, status: "in_transit", shippedAt: now },
            select: { id: true },
          })
        : await tx.shipment.create({
            data: {
              orderId: input.orderId,
              sellerId,
              carrier: input.carrier,
              trackingNumber: input.trackingNumber,
              status: "in_transit",
              shippedAt: now,
            },
            select: { id: true },
          });
      await tx.orderLine.updateMany({ where: { orderId: input.orderId, sellerId }, data: { shipmentId: shipment.id } });
      if (!existing) {
        await appendEvent(
          tx,
          {
            type: "shipment.created",
            aggregateType: "order",
            aggregateId: input.orderId,
            payload: { ...ref, shipmentId: shipment.id, sellerId, carrier: input.carrier, trackingNumber: input.trackingNumber },
          },
          now,
        );
      }
      await appendEvent(
        tx,
        {
          type: "shipment.status_changed",
          aggregateType: "order",
          aggregateId: input.orderId,
          payload: { ...ref, shipmentId: shipment.id, status: "in_transit", occurredAt: now.toISOString() },
        },
        now,
      );

      const sellers = await tx.orderLine.findMany({ where: { orderId: input.orderId }, distinct: ["sellerId"], select: { sellerId: true } });
      const shippedParts = await tx.shipment.count({ where: { orderId: input.orderId, status: { in: SHIPPED } } });
      const next: OrderStatus = shippedParts >= sellers.length ? "shipped" : "fulfilling";
      // Never backwards: an order already shipped (the carrier's callbacks may say so first) stays shipped.
      if (next !== order.status && order.status !== "shipped") {
        await tx.order.update({ where: { id: input.orderId }, data: { status: next }, select: { id: true } });
        await tx.orderStatusChange.create({
          data: {
            orderId: input.orderId,
            fromStatus: order.status,
            toStatus: next,
            reason: next === "shipped" ? "Every part has shipped" : "Part of the order has shipped",
            at: now,
          },
          select: { id: true },
        });
      }
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new DomainError("conflict", `${input.carrier} tracking number ${input.trackingNumber} is already used by another shipment.`, { field: "trackingNumber" });
    }
    throw error;
  }
  const row = await db.order.findUniqueOrThrow({ where: { id: input.orderId }, select: sellerOrderSelect(sellerId) });
  return toSellerOrder(minorNumbers(row));
}
