import { z } from "zod";
import { cursorText, multiLineText, searchText, singleLineText } from "~/core/text";
import { productImageUrl } from "~/core/domain/catalog/image-urls";
import { productSorts } from "~/core/domain/catalog/products";
import { MAX_PHOTOS_PER_PRODUCT, PHOTO_ALT_MAX } from "~/core/domain/photos/urls";
import {
  archiveProduct,
  createProduct,
  getOwnProduct,
  listOwnProducts,
  publishProduct,
  setStock,
  unpublishProduct,
  updateProduct,
} from "~/core/domain/seller/products";
import { router, sellerProcedure } from "../init";

const title = singleLineText({ min: 1, max: 200 });
const description = multiLineText({ max: 10_000, trim: false });
// Range in the currency's own units (src/core/money.ts) is checked where the currency is known.
const priceMinor = z.number().int();
const currency = z.string().regex(/^[A-Z]{3}$/, "must be a 3-letter ISO 4217 code");
const images = z.array(productImageUrl).max(20);
/** Uploaded photos (POST /photos) in display order, each with its alternative text. */
const photos = z.array(z.strictObject({ id: z.uuid(), alt: singleLineText({ max: PHOTO_ALT_MAX }) })).max(MAX_PHOTOS_PER_PRODUCT);
const categorySlug = singleLineText({ min: 1, max: 100 });
const sku = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1-64 of A-Z a-z 0-9 . _ -");
const units = z.number().int().min(0).max(1_000_000);
const byId = z.strictObject({ id: z.uuid() });

export const productsRouter = router({
  create: sellerProcedure
    .input(
      z.strictObject({
        title,
        description: description.optional(),
        priceMinor,
        currency: currency.optional(),
        categorySlug: categorySlug.nullish(),
        images: images.optional(),
        photos: photos.optional(),
        sku: sku.optional(),
        initialStock: units.optional(),
        publish: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => createProduct(ctx, ctx.user, input)),
  update: sellerProcedure
    .input(
      z
        .strictObject({
          id: z.uuid(),
          title: title.optional(),
          description: description.optional(),
          priceMinor: priceMinor.optional(),
          currency: currency.optional(),
          categorySlug: categorySlug.nullish(),
          images: images.optional(),
          photos: photos.optional(),
        })
        .refine((v) => Object.keys(v).length > 1, { message: "name at least one field to change", path: ["id"] }),
    )
    .mutation(({ ctx, input }) => updateProduct(ctx, ctx.user, input)),
  publish: sellerProcedure.input(byId).mutation(({ ctx, input }) => publishProduct(ctx, ctx.user, input.id)),
  unpublish: sellerProcedure.input(byId).mutation(({ ctx, input }) => unpublishProduct(ctx, ctx.user, input.id)),
  archive: sellerProcedure.input(byId).mutation(({ ctx, input }) => archiveProduct(ctx, ctx.user, input.id)),
  get: sellerProcedure.input(byId).query(({ ctx, input }) => getOwnProduct(ctx, ctx.user, input.id)),
  listOwn: sellerProcedure
    .input(
      z.strictObject({
        limit: z.number().int().min(1).max(100).default(24),
        cursor: cursorText.nullish(),
        status: z.enum(["draft", "active", "archived"]).optional(),
        q: searchText.optional(),
        categorySlug: categorySlug.optional(),
        inStock: z.boolean().optional(),
        sort: z.enum(productSorts).optional(),
      }),
    )
    .query(({ ctx, input }) => listOwnProducts(ctx, ctx.user, input)),
  setStock: sellerProcedure
    .input(z.strictObject({ id: z.uuid(), onHand: units }))
    .mutation(({ ctx, input }) => setStock(ctx, ctx.user, input)),
});

export const sellerRouter = router({
  products: productsRouter,
});
