import { z } from "zod";
import { getProduct, listProducts } from "~/server/domain/catalog/products";
import { publicProcedure, router } from "../init";

export const catalogListInput = z.strictObject({
  limit: z.number().int().min(1).max(100).default(24),
  cursor: z.string().max(512).nullish(),
  categorySlug: z.string().min(1).max(100).optional(),
});

export const catalogRouter = router({
  list: publicProcedure.input(catalogListInput).query(({ ctx, input }) => listProducts(ctx.db, input)),
  get: publicProcedure
    .input(z.strictObject({ id: z.string().uuid() }))
    .query(({ ctx, input }) => getProduct(ctx.db, input.id)),
});
