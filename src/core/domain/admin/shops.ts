import type { Db, Prisma } from "~/lib/db";

export const adminShopSelect = {
  id: true,
  shopName: true,
  user: { select: { email: true } },
} satisfies Prisma.SellerSelect;

export type AdminShopView = Prisma.SellerGetPayload<{ select: typeof adminShopSelect }>;

export interface ListShopsInput {
  limit: number;
  /** Part of the shop name or the owner's email, any case. */
  search?: string | undefined;
  /** Only these shops (to name the shops a list of ids refers to, such as job parameters). */
  ids?: string[] | undefined;
}

/**
 * Shops by name, for operators to pick one from a list instead of typing its id. `more` says the
 * list was cut at `limit`: narrow it with `search`.
 */
export async function listShops(db: Db, input: ListShopsInput): Promise<{ items: AdminShopView[]; more: boolean }> {
  const search = input.search?.trim();
  const rows = await db.seller.findMany({
    where: {
      AND: [
        input.ids ? { id: { in: input.ids } } : {},
        search
          ? { OR: [{ shopName: { contains: search, mode: "insensitive" } }, { user: { email: { contains: search, mode: "insensitive" } } }] }
          : {},
      ],
    },
    orderBy: [{ shopName: "asc" }, { id: "asc" }],
    take: input.limit + 1,
    select: adminShopSelect,
  });
  return { items: rows.slice(0, input.limit), more: rows.length > input.limit };
}
