import { z } from "zod";
import { cursorText, searchText, singleLineText } from "~/core/text";
import { MONEY_LIMITS } from "~/core/money";
import { getProduct, listCategories, listProducts, productSorts } from "~/core/domain/catalog/products";
import { replicaOrPrimary } from "../context";
import { publicProcedure, router } from "../init";

const price = z.number().int().min(0).max(MONEY_LIMITS.unitPriceMinor);

export const catalogListInput = z
  .strictObject({
    limit: z.number().int().min(1).max(100).default(24),
    cursor: cursorText.nullish(),
    q: searchText.optional(),
    categorySlug: singleLineText({ min: 1, max: 100 }).optional(),
    sellerId: z.uuid().optional(),
    minPriceMinor: price.optional(),
    maxPriceMinor: price.optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, "must be a 3-letter ISO 4217 code").optional(),
    inStock: z.boolean().optional(),
    sort: z.enum(productSorts).optional(),
    /** Also count the matches (stock aside, up to 10,000) for a results count. */
    count: z.boolean().optional(),
  })
  .refine((v) => v.minPriceMinor === undefined || v.maxPriceMinor === undefined || v.minPriceMinor <= v.maxPriceMinor, {
    message: "must not be below minPriceMinor",
    path: ["maxPriceMinor"],
  });

/** The public catalog reads the replica (replicaOrPrimary(ctx)): a change shows here once the replica has it. */
export const catalogRouter = router({
  list: publicProcedure.input(catalogListInput).query(({ ctx, input }) => listProducts({ db: replicaOrPrimary(ctx), availability: ctx.availability }, input)),
  get: publicProcedure.input(z.strictObject({ id: z.uuid() })).query(({ ctx, input }) => getProduct({ db: replicaOrPrimary(ctx), availability: ctx.availability }, input.id)),
  categories: publicProcedure.query(({ ctx }) => listCategories(replicaOrPrimary(ctx))),
});
