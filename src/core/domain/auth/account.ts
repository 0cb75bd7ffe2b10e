import { DomainError } from "~/core/errors";
import type { Db, Prisma } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import type { AuthClient, AuthSession } from "~/core/integrations/auth";
import { toDomainError } from "~/core/integrations/errors";
import type { AuthUser } from "~/core/domain/actor";
import { upsertLocalUser, type SessionGuard } from "./sessions";

/**
 * Accounts, delegated to the auth service (Service 1): the API never stores or sees a password
 * hash. The local User row mirrors what the auth service says (id = token subject).
 */
export interface AccountDeps {
  db: Db;
  logger: Logger;
  auth: AuthClient;
  sessions: SessionGuard;
}

export const meSelect = {
  id: true,
  email: true,
  displayName: true,
  role: true,
  locale: true,
  createdAt: true,
  seller: { select: { id: true, shopName: true } },
} satisfies Prisma.UserSelect;

/** What the web stores: the token for an httpOnly cookie, and when that cookie must expire. */
export interface SignedIn {
  token: string;
  expiresAt: Date;
  user: { id: string; email: string; displayName: string; role: "buyer" | "seller" | "admin" };
}

async function mirrorUser(deps: AccountDeps, session: AuthSession, locale?: string): Promise<void> {
  const u = session.user;
  await upsertLocalUser(deps.db, deps.logger, { id: u.id, email: u.email, displayName: u.displayName, role: u.role, ...(locale ? { locale } : {}) });
}

function signedIn(session: AuthSession): SignedIn {
  const u = session.user;
  return { token: session.accessToken, expiresAt: new Date(session.expiresAt), user: { id: u.id, email: u.email, displayName: u.displayName, role: u.role } };
}

async function call<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw toDomainError(err);
  }
}

/** `locale`: how the person's mail writes money and dates (the web passes the browser's language); default "en". */
export async function register(deps: AccountDeps, input: { email: string; password: string; displayName: string; locale?: string }): Promise<SignedIn> {
  const { locale, ...account } = input;
  // Everyone starts as a buyer; becomeSeller opens a shop.
  const session = await call(deps.auth.register({ ...account, role: "buyer" }));
  await mirrorUser(deps, session, locale);
  deps.logger.info({ userId: session.user.id }, "account registered");
  return signedIn(session);
}

export async function login(deps: AccountDeps, input: { email: string; password: string }): Promise<SignedIn> {
  const session = await call(deps.auth.login(input));
  await mirrorUser(deps, session);
  return signedIn(session);
}

/** Ends the caller's session in the auth service and, at once, in this process. */
export async function logout(deps: AccountDeps, user: AuthUser): Promise<{ ok: true }> {
  await call(user.accessToken ? deps.auth.logout(user.accessToken) : deps.auth.revokeSession(user.sessionId));
  deps.sessions.forget(user.sessionId);
  return { ok: true };
}

export async function changePassword(
  deps: AccountDeps,
  user: AuthUser,
  input: { currentPassword: string; newPassword: string },
): Promise<{ ok: true }> {
  if (!user.accessToken) throw new DomainError("unauthenticated", "Changing the password needs a signed-in request with a bearer token.");
  if (input.currentPassword === input.newPassword) {
    throw new DomainError("invalid", "must differ from the current password.", { field: "newPassword" });
  }
  await call(deps.auth.changePassword(user.accessToken, input));
  return { ok: true };
}

export async function me(db: Db, user: AuthUser) {
  const row = await db.user.findUnique({ where: { id: user.id }, select: meSelect });
  if (!row) throw new DomainError("not_found", "Your account is not known to this API yet; sign in again.");
  return row;
}

/** Sets how the person's mail writes money and dates (a canonical BCP 47 tag, see src/core/locale.ts). */
export async function setLocale(db: Db, user: AuthUser, locale: string) {
  const updated = await db.user.updateMany({ where: { id: user.id }, data: { locale } });
  if (updated.count === 0) throw new DomainError("not_found", "Your account is not known to this API yet; sign in again.");
  return me(db, user);
}

export interface BecameSeller {
  seller: { id: string; shopName: string };
  /**
   * True when the role changed: the auth service ends every session of a user whose role
   * changes (its contract offers no token refresh), so the caller must sign in again to get
   * a token that carries role "seller". The web should clear the cookie and show the login.
   */
  signInAgain: boolean;
  message: string;
}

/**
 * Opens a shop: a Seller row, then role seller in the auth service. Safe to repeat with the
 * same shop name (a retry after an auth outage finishes the job); admins keep their role.
 */
export async function becomeSeller(deps: AccountDeps, user: AuthUser, input: { shopName: string }): Promise<BecameSeller> {
  const existing = await deps.db.seller.findUnique({ where: { userId: user.id }, select: { id: true, shopName: true } });
  if (existing && existing.shopName !== input.shopName) {
    throw new DomainError("conflict", `You already have a shop, "${existing.shopName}".`);
  }
  let seller = existing;
  if (!seller) {
    try {
      seller = await deps.db.seller.create({ data: { userId: user.id, shopName: input.shopName }, select: { id: true, shopName: true } });
    } catch (err) {
      if ((err as { code?: string }).code === "P2002") {
        throw new DomainError("conflict", `"${input.shopName}" is taken; choose another name.`, { field: "shopName" });
      }
      throw err;
    }
  }
  if (user.role !== "buyer") {
    return { seller, signInAgain: false, message: "Your shop is open." };
  }
  await call(deps.auth.setRole(user.id, "seller"));
  await deps.db.user.update({ where: { id: user.id }, data: { role: "seller" }, select: { id: true } });
  deps.sessions.forget(user.sessionId);
  deps.logger.info({ userId: user.id, sellerId: seller.id }, "buyer became a seller");
  return { seller, signInAgain: true, message: "Your shop is open. Sign in again to start selling (your session was ended so the new role applies)." };
}
