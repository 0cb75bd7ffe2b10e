import { randomUUID } from "node:crypto";
import { DomainError } from "~/core/errors";
import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import { InvalidAccessTokenError, type AccessTokenVerifier, type AuthClient } from "~/core/integrations/auth";
import { toDomainError } from "~/core/integrations/errors";
import type { AuthUser } from "~/core/domain/actor";

/**
 * Turns a bearer token into the caller, cheaply: the signature is checked locally against the
 * cached JWKS, revocation against a local copy of the auth service's revocation list (refreshed
 * at most every `revocationRefreshMs`, never per request), and the local User row is written
 * only when the token says something new about the user.
 */
export interface SessionGuard {
  /** Throws UNAUTHORIZED (with the reason) for a bad, expired or revoked token. */
  authenticate(token: string): Promise<AuthUser>;
  /** Records a revocation this process made itself, effective at once. */
  forget(sessionId: string): void;
}

export interface SessionGuardOptions {
  db: Db;
  logger: Logger;
  auth: Pick<AuthClient, "listRevocations">;
  verify: AccessTokenVerifier;
  /** 0 checks the list on every request (tests). */
  revocationRefreshMs: number;
  now?: () => number;
}

/** Users whose row is known to be current; bounded so a flood of sign-ups cannot grow it forever. */
const MAX_KNOWN_USERS = 50_000;
/** Access tokens live an hour (auth contract); a revocation older than a day can be dropped. */
const REVOCATION_MEMORY_MS = 24 * 3600_000;

export function createSessionGuard(options: SessionGuardOptions): SessionGuard {
  const { db, logger, auth, verify } = options;
  const now = options.now ?? Date.now;
  const revoked = new Map<string, number>();
  let asOf: string | undefined;
  let refreshedAt = -Infinity;
  let refreshing: Promise<void> | null = null;
  const known = new Map<string, string>();

  async function refreshRevocations(): Promise<void> {
    try {
      const list = await auth.listRevocations(asOf);
      for (const r of list.revoked) revoked.set(r.sessionId, Date.parse(r.revokedAt));
      asOf = list.asOf;
      refreshedAt = now();
      const cutoff = now() - REVOCATION_MEMORY_MS;
      for (const [sid, at] of revoked) if (at < cutoff) revoked.delete(sid);
    } catch (err) {
      // Keep serving with the list we have: an auth outage must not sign everyone out. Tokens
      // still expire on their own; try again after the next interval rather than on every request.
      refreshedAt = now();
      logger.warn({ err }, "could not refresh revoked sessions; using the previous list");
    }
  }

  async function ensureFreshRevocations(): Promise<void> {
    if (now() - refreshedAt < options.revocationRefreshMs) return;
    refreshing ??= refreshRevocations().finally(() => {
      refreshing = null;
    });
    await refreshing;
  }

  async function syncUser(user: AuthUser): Promise<void> {
    const fingerprint = `${user.email}\n${user.name}\n${user.role}`;
    if (known.get(user.id) === fingerprint) return;
    await upsertLocalUser(db, logger, { id: user.id, email: user.email, displayName: user.name, role: user.role });
    if (known.size >= MAX_KNOWN_USERS) known.clear();
    known.set(user.id, fingerprint);
  }

  return {
    async authenticate(token) {
      let claims;
      try {
        claims = await verify(token);
      } catch (err) {
        if (err instanceof InvalidAccessTokenError) throw new DomainError("unauthenticated", err.message, { cause: err });
        throw toDomainError(err);
      }
      await ensureFreshRevocations();
      if (revoked.has(claims.sid)) {
        throw new DomainError("unauthenticated", "This session has ended (signed out or role changed); sign in again.");
      }
      const user: AuthUser = { id: claims.sub, email: claims.email, name: claims.name, role: claims.role, sessionId: claims.sid, accessToken: token };
      await syncUser(user);
      return user;
    },
    forget(sessionId) {
      revoked.set(sessionId, now());
    },
  };
}

/**
 * Reads `Authorization: Bearer <token>`: null when absent (anonymous), UNAUTHORIZED when the
 * header is there but not a bearer token, so a broken client never silently becomes anonymous.
 */
export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === "") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  if (!match?.[1]) {
    throw new DomainError("unauthenticated", "Authorization header must be 'Bearer <access token>'.");
  }
  return match[1];
}

/**
 * Writes the local mirror of an auth-service user (id = token subject). If another local row
 * still holds the email (the auth service moved it to a new account), the auth service is the
 * source of truth: that row gives the address up.
 */
export async function upsertLocalUser(
  db: Db,
  logger: Logger,
  user: { id: string; email: string; displayName: string; role: AuthUser["role"]; locale?: string },
): Promise<void> {
  const upsert = () =>
    db.user.upsert({
      where: { id: user.id },
      // The locale is the account's own setting: given at registration, never overwritten here.
      create: user,
      update: { email: user.email, displayName: user.displayName, role: user.role },
      select: { id: true },
    });
  try {
    await upsert();
  } catch (err) {
    if ((err as { code?: string }).code !== "P2002") throw err;
    const stale = await db.user.updateMany({
      where: { email: user.email, id: { not: user.id } },
      data: { email: `stale-${randomUUID()}@invalid` },
    });
    logger.warn({ userId: user.id, staleRows: stale.count }, "email moved to another account in the auth service");
    await upsert();
  }
}
