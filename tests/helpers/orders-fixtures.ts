// Orders written straight into a test database, as checkout would leave them, for the orders,
// delivery and stats tests (checkout itself is tested by its own suite).
import { randomUUID } from "node:crypto";
import type { Db } from "~/lib/db";
import type { OrderStatus } from "~/generated/prisma/enums";

/** What createOrder needs of a product (fixtures.ts createProduct returns it). */
export interface OrderableProduct {
  id: string;
  sellerId: string;
  sku: string;
  title: string;
  priceMinor: number;
  currency: string;
}

export interface TestOrder {
  id: string;
  number: number;
}

/** An order as checkout would leave it (lines snapshot the products), then moved to `status`. */
export async function createOrder(
  db: Db,
  buyerId: string,
  lines: { product: OrderableProduct; quantity: number }[],
  options: { status?: OrderStatus; placedAt?: Date } = {},
): Promise<TestOrder> {
  const status = options.status ?? "pending_payment";
  const placedAt = options.placedAt ?? new Date();
  const currency = lines[0]?.product.currency ?? "EUR";
  const subtotal = lines.reduce((sum, l) => sum + l.product.priceMinor * l.quantity, 0);
  const order = await db.order.create({
    data: {
      buyerId,
      status,
      currency,
      subtotalMinor: subtotal,
      totalMinor: subtotal,
      idempotencyKey: randomUUID(),
      shippingAddress: { name: "Test Buyer", line1: "1 Test Street", city: "Testville", postalCode: "12345", country: "DE" },
      placedAt,
      paidAt: status === "pending_payment" || status === "cancelled" ? null : placedAt,
      lines: {
        create: lines.map(({ product, quantity }) => ({
          productId: product.id,
          sellerId: product.sellerId,
          sku: product.sku,
          title: product.title,
          unitPriceMinor: product.priceMinor,
          currency: product.currency,
          quantity,
          lineTotalMinor: product.priceMinor * quantity,
        })),
      },
      statusHistory: {
        create: [
          { fromStatus: null, toStatus: "pending_payment", at: placedAt },
          ...(status === "pending_payment" ? [] : [{ fromStatus: "pending_payment" as const, toStatus: status, at: placedAt }]),
        ],
      },
      payments: {
        create: {
          gateway: "reference",
          idempotencyKey: randomUUID(),
          status: status === "pending_payment" ? "pending" : status === "cancelled" ? "failed" : "captured",
          amountMinor: subtotal,
          currency,
        },
      },
    },
    select: { id: true, number: true },
  });
  return order;
}
