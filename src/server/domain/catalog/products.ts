import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { decodeCursor, encodeCursor } from "~/lib/cursor";
import type { Db, Prisma } from "~/lib/db";

export const productSummarySelect = {
  id: true,
  title: true,
  priceMinor: true,
  currency: true,
  images: true,
  createdAt: true,
  seller: { select: { id: true, shopName: true } },
  category: { select: { id: true, slug: true, name: true } },
} satisfies Prisma.ProductSelect;

export const productDetailSelect = {
  ...productSummarySelect,
  sku: true,
  description: true,
  status: true,
  publishedAt: true,
} satisfies Prisma.ProductSelect;

export type ProductSummary = Prisma.ProductGetPayload<{ select: typeof productSummarySelect }>;
export type ProductDetail = Prisma.ProductGetPayload<{ select: typeof productDetailSelect }>;

const newestCursor = z.object({ createdAt: z.string().datetime(), id: z.string().uuid() });

export interface ListProductsInput {
  limit: number;
  cursor?: string | null;
  categorySlug?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Active products, newest first, keyset-paginated on (createdAt, id) so deep pages stay fast. */
export async function listProducts(db: Db, input: ListProductsInput): Promise<Page<ProductSummary>> {
  const after = input.cursor ? decodeCursor(input.cursor, newestCursor) : null;
  if (input.cursor && !after) throw new TRPCError({ code: "BAD_REQUEST", message: "cursor: not a cursor this list returned" });
  const rows = await db.product.findMany({
    where: {
      status: "active",
      ...(input.categorySlug ? { category: { slug: input.categorySlug } } : {}),
      ...(after
        ? {
            OR: [
              { createdAt: { lt: new Date(after.createdAt) } },
              { createdAt: new Date(after.createdAt), id: { lt: after.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    select: productSummarySelect,
  });
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > input.limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
  };
}

/** One product a buyer may see: active ones only, so drafts and archived items stay private. */
export async function getProduct(db: Db, id: string): Promise<ProductDetail> {
  const product = await db.product.findFirst({ where: { id, status: "active" }, select: productDetailSelect });
  if (!product) throw new TRPCError({ code: "NOT_FOUND", message: `No product with id ${id}` });
  return product;
}
