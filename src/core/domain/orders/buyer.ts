import { DomainError } from "~/core/errors";
import type { Db } from "~/lib/db";
import type { Actor } from "../actor";
import { cancelOrder } from "../lifecycle";
import { getOrderDetail, orderNotFound, type OrderDetail } from "./queries";

export interface CancelOwnOrderInput {
  orderId: string;
  reason?: string | undefined;
}

/**
 * The buyer cancels an order they have not paid yet. Repeating the call on a cancelled order
 * returns it unchanged (a retried request must not fail); a paid order is a conflict.
 */
export async function cancelOwnOrder(db: Db, actor: Actor, input: CancelOwnOrderInput, now: Date): Promise<OrderDetail> {
  const order = await db.order.findUnique({ where: { id: input.orderId }, select: { buyerId: true, number: true } });
  if (!order || (order.buyerId !== actor.id && actor.role !== "admin")) throw orderNotFound(input.orderId);
  const reason = input.reason?.trim() || (actor.id === order.buyerId ? "Cancelled by the buyer" : "Cancelled by an administrator");
  const result = await db.$transaction((tx) => cancelOrder(tx, { orderId: input.orderId, reason, now }));
  if (!result.ok && result.reason === "not_found") throw orderNotFound(input.orderId);
  if (!result.ok && result.status !== "cancelled") {
    throw new DomainError("conflict", `Order #${order.number} is ${result.status.replace("_", " ")}; only orders awaiting payment can be cancelled.`);
  }
  return getOrderDetail(db, actor, input.orderId);
}
