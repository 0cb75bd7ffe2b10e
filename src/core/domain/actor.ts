import { DomainError } from "~/core/errors";
import type { Db } from "~/lib/db";

export type Role = "buyer" | "seller" | "admin";

/** The caller, as established from a verified access token. */
export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  sessionId: string;
  /** The bearer token the request carried; absent for callers built in tests or background code. */
  accessToken?: string;
}

/** Who is calling, as domain functions need it: authorization decisions use id and role only. */
export type Actor = Pick<AuthUser, "id" | "role">;

/**
 * The caller's own seller profile id. Seller-scoped procedures act on "my shop": an account
 * without a shop (a buyer, or an admin who does not sell) is refused, never shown another shop.
 */
export async function requireOwnSellerId(db: Db, actor: Actor): Promise<string> {
  const seller = await db.seller.findUnique({ where: { userId: actor.id }, select: { id: true } });
  if (!seller) throw new DomainError("forbidden", "This account has no seller profile (shop); only sellers can do this.", { reason: "no_shop" });
  return seller.id;
}
