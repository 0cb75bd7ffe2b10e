import { TRPCError } from "@trpc/server";
import type { Db } from "~/lib/db";
import type { AuthUser } from "../../server/trpc/context";

/** Who is calling, as domain functions need it: authorization decisions use id and role only. */
export type Actor = Pick<AuthUser, "id" | "role">;

/**
 * The caller's own seller profile id. Seller-scoped procedures act on "my shop": an account
 * without a shop (a buyer, or an admin who does not sell) is refused, never shown another shop.
 */
export async function requireOwnSellerId(db: Db, actor: Actor): Promise<string> {
  const seller = await db.seller.findUnique({ where: { userId: actor.id }, select: { id: true } });
  if (!seller) throw new TRPCError({ code: "FORBIDDEN", message: "This account has no seller profile (shop); only sellers can do this." });
  return seller.id;
}
