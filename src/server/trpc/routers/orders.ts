import { z } from "zod";
import { cursorText, singleLineText } from "~/core/text";
import { OrderStatus } from "~/generated/prisma/enums";
import { requireOwnSellerId } from "~/core/domain/actor";
import { cancelOwnOrder } from "~/core/domain/orders/buyer";
import { getOrderDetail, listAllOrders, listBuyerOrders } from "~/core/domain/orders/queries";
import { listSellerOrders, markShipped } from "~/core/domain/orders/seller";
import { adminProcedure, authedProcedure, router, sellerProcedure } from "../init";

const page = {
  limit: z.number().int().min(1).max(100).default(20),
  cursor: cursorText.nullish(),
  status: z.enum(OrderStatus).optional(),
};

export const ordersListInput = z.strictObject(page);
export const orderIdInput = z.strictObject({ orderId: z.uuid() });
export const ordersCancelInput = z.strictObject({ orderId: z.uuid(), reason: singleLineText({ max: 500 }).optional() });
export const ordersSellerLinesInput = z.strictObject(page);
export const ordersMarkShippedInput = z.strictObject({
  orderId: z.uuid(),
  carrier: singleLineText({ min: 1, max: 50 }),
  trackingNumber: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._/-]*$/, "letters, digits, spaces and . _ / - only"),
});
export const ordersAdminListInput = z.strictObject({ ...page, buyerId: singleLineText({ min: 1, max: 200 }).optional() });

export const ordersRouter = router({
  list: authedProcedure.input(ordersListInput).query(({ ctx, input }) => listBuyerOrders(ctx.db, ctx.user.id, input)),
  get: authedProcedure.input(orderIdInput).query(({ ctx, input }) => getOrderDetail(ctx.db, ctx.user, input.orderId)),
  cancel: authedProcedure.input(ordersCancelInput).mutation(({ ctx, input }) => cancelOwnOrder(ctx.db, ctx.user, input, ctx.now())),
  sellerLines: sellerProcedure
    .input(ordersSellerLinesInput)
    .query(async ({ ctx, input }) => listSellerOrders(ctx.db, await requireOwnSellerId(ctx.db, ctx.user), input)),
  markShipped: sellerProcedure
    .input(ordersMarkShippedInput)
    .mutation(async ({ ctx, input }) => markShipped(ctx.db, await requireOwnSellerId(ctx.db, ctx.user), input, ctx.now())),
  adminList: adminProcedure.input(ordersAdminListInput).query(({ ctx, input }) => listAllOrders(ctx.db, input)),
});
