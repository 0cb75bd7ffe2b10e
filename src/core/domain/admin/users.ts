import { DomainError } from "~/core/errors";
import { z } from "zod";
import { newestFirst, type Page } from "~/core/pagination";
import type { Db, Prisma } from "~/lib/db";
import type { Role } from "~/generated/prisma/enums";
import type { AuthClient } from "~/core/integrations/auth";
import { toDomainError } from "~/core/integrations/errors";
import type { Actor } from "../actor";

export const adminUserSelect = {
  id: true,
  email: true,
  displayName: true,
  role: true,
  createdAt: true,
  updatedAt: true,
  seller: { select: { id: true, shopName: true } },
} satisfies Prisma.UserSelect;

export type AdminUserView = Prisma.UserGetPayload<{ select: typeof adminUserSelect }>;

// User ids come from the auth service: not necessarily UUIDs.
const byCreatedAt = newestFirst("createdAt", z.string().min(1));

export interface ListUsersInput {
  limit: number;
  cursor?: string | null | undefined;
  /** Part of the email, display name or shop name, any case. */
  search?: string | undefined;
  role?: Role | undefined;
}

/**
 * Users as the API knows them (the local mirror of the auth service, written at each sign-in),
 * newest first. Searching here rather than in the auth service also finds shop names.
 */
export async function listUsers(db: Db, input: ListUsersInput): Promise<Page<AdminUserView>> {
  const after = byCreatedAt.after(input.cursor);
  const search = input.search?.trim();
  const rows = await db.user.findMany({
    where: {
      AND: [
        input.role ? { role: input.role } : {},
        search
          ? {
              OR: [
                { email: { contains: search, mode: "insensitive" } },
                { displayName: { contains: search, mode: "insensitive" } },
                { seller: { shopName: { contains: search, mode: "insensitive" } } },
              ],
            }
          : {},
        after,
      ],
    },
    orderBy: byCreatedAt.orderBy(),
    take: input.limit + 1,
    select: adminUserSelect,
  });
  return byCreatedAt.page(rows, input.limit);
}

/**
 * Changes a user's role in the auth service (the source of truth; it ends the user's sessions so
 * the new role applies at their next sign-in), then mirrors it in the local User row. A user made
 * seller opens their shop themselves (auth.becomeSeller) before selling.
 */
export async function setUserRole(
  deps: { db: Db; auth: Pick<AuthClient, "setRole"> },
  actor: Actor,
  input: { userId: string; role: Role },
): Promise<AdminUserView> {
  if (input.userId === actor.id && input.role !== "admin") {
    // The last admin demoting themselves would leave nobody able to undo it.
    throw new DomainError("invalid", "you cannot remove your own admin role; ask another administrator.", { field: "role" });
  }
  let updated;
  try {
    updated = await deps.auth.setRole(input.userId, input.role);
  } catch (error) {
    throw toDomainError(error);
  }
  return deps.db.user.upsert({
    where: { id: updated.id },
    create: { id: updated.id, email: updated.email, displayName: updated.displayName, role: updated.role },
    update: { email: updated.email, displayName: updated.displayName, role: updated.role },
    select: adminUserSelect,
  });
}
