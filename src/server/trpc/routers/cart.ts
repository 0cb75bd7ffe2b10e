import { z } from "zod";
import { addToCart, clearCart, MAX_LINE_QUANTITY, removeFromCart, setCartQuantity, viewCart } from "~/core/domain/cart/cart";
import { authedProcedure, router } from "../init";

const productId = z.uuid();

export const cartRouter = router({
  view: authedProcedure.query(({ ctx }) => viewCart(ctx, ctx.user.id)),
  add: authedProcedure
    .input(z.strictObject({ productId, quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY).default(1) }))
    .mutation(({ ctx, input }) => addToCart(ctx, ctx.user.id, input)),
  setQuantity: authedProcedure
    .input(z.strictObject({ productId, quantity: z.number().int().min(0).max(MAX_LINE_QUANTITY) }))
    .mutation(({ ctx, input }) => setCartQuantity(ctx, ctx.user.id, input)),
  remove: authedProcedure.input(z.strictObject({ productId })).mutation(({ ctx, input }) => removeFromCart(ctx, ctx.user.id, input)),
  clear: authedProcedure.mutation(({ ctx }) => clearCart(ctx, ctx.user.id)),
});
