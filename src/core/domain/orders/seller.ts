import { DomainError } from "~/core/errors";
import { Prisma, type Db } from "~/lib/db";
import { minorNumbers, type MinorNumbers } from "~/core/money";
import type { OrderStatus } from "~/generated/prisma/enums";
import { advanceOrder, handOverShipment, lockOrder, SHIPPABLE_ORDER_STATUSES, SHIPPED_SHIPMENT_STATUSES } from "../lifecycle";
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
      if (!SHIPPABLE_ORDER_STATUSES.includes(order.status)) {
        const why = order.status === "pending_payment" ? "is not paid yet; ship it once it is paid" : `is ${order.status}`;
        throw new DomainError("conflict", `Order #${order.number} ${why}.`);
      }

      const existing = await tx.shipment.findUnique({
        where: { orderId_sellerId: { orderId: input.orderId, sellerId } },
        select: { id: true, carrier: true, carrierRef: true, trackingNumber: true, status: true },
      });
      if (existing && SHIPPED_SHIPMENT_STATUSES.includes(existing.status)) {
        if (existing.carrier === input.carrier && existing.trackingNumber === input.trackingNumber) return;
        throw new DomainError("conflict", `Your part of order #${order.number} already shipped with ${existing.carrier} ${existing.trackingNumber ?? ""}`.trim() + ".");
      }
      if (existing?.carrierRef && (existing.carrier !== input.carrier || existing.trackingNumber !== input.trackingNumber)) {
        // Booked with the carrier by the fulfilment pipeline: its callbacks track that parcel only.
        throw new DomainError("conflict", `your part of order #${order.number} is booked with ${existing.carrier}, tracking number ${existing.trackingNumber ?? "pending"}; ship it with that label.`, { field: "trackingNumber" });
      }
      await handOverShipment(tx, order, existing, { sellerId, carrier: input.carrier, trackingNumber: input.trackingNumber, now });

      const sellers = await tx.orderLine.findMany({ where: { orderId: input.orderId }, distinct: ["sellerId"], select: { sellerId: true } });
      const shippedParts = await tx.shipment.count({ where: { orderId: input.orderId, status: { in: [...SHIPPED_SHIPMENT_STATUSES] } } });
      const allShipped = shippedParts >= sellers.length;
      // Refused (and nothing written) when it would not move forward: an order already shipped stays shipped.
      await advanceOrder(tx, order, allShipped ? "shipped" : "fulfilling", { reason: allShipped ? "Every part has shipped" : "Part of the order has shipped", now });
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
