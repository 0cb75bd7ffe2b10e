// Rate limits on sign-in and registration, applied at the HTTP layer (createApiServer) so the
// auth router stays about auth. Two keys per procedure:
// - per client IP: every attempt counts (password spraying, registration spam from one host);
// - per account (the email in the input): for login only failed attempts count, so a user who
//   signs in fine is never slowed down, while guessing one account's password stops after a few
//   tries whatever the number of IPs used.
// Counters live in PostgreSQL (rate-limiter-flexible's RateLimiterPostgres, table "RateLimit"), so
// every API replica counts against the same limit.
import { createHash } from "node:crypto";
import type http from "node:http";
import { TRPCError } from "@trpc/server";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import type { Db } from "~/lib/db";

export interface Limit {
  /** Attempts allowed within the window. */
  max: number;
  windowMs: number;
}

export interface AuthRateLimitOptions {
  login: { perIp: Limit; perAccountFailures: Limit };
  register: { perIp: Limit; perAccount: Limit };
  /**
   * Take the client address from the last X-Forwarded-For entry (only behind a proxy that sets
   * it, such as the ingress or the web server); otherwise the socket's peer address is used.
   */
  trustForwardedFor: boolean;
}

export const DEFAULT_AUTH_RATE_LIMITS: AuthRateLimitOptions = {
  // Per address generous enough for an office behind one NAT; per account tight enough to stop guessing.
  login: { perIp: { max: 100, windowMs: 5 * 60_000 }, perAccountFailures: { max: 5, windowMs: 15 * 60_000 } },
  register: { perIp: { max: 30, windowMs: 10 * 60_000 }, perAccount: { max: 5, windowMs: 60 * 60_000 } },
  trustForwardedFor: false,
};

/** The table the migrations create (prisma/schema.prisma, model RateLimit). */
export const RATE_LIMIT_TABLE = "RateLimit";

/**
 * rate-limiter-flexible's Postgres store talks to anything with `query({ text, values })`. This one
 * runs its statements through the API's Prisma pool as unnamed statements: the library names its
 * prepared statements, and a named statement prepared on one server connection is missing on the
 * next one PgBouncer hands out in transaction mode.
 */
function prismaStore(db: Db) {
  return {
    async query(q: { text: string; values?: unknown[] }): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
      const values = q.values ?? [];
      if (/^\s*DELETE\b/i.test(q.text)) return { rows: [], rowCount: await db.$executeRawUnsafe(q.text, ...values) };
      const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(q.text, ...values);
      // `expire` is BIGINT (epoch ms): the library does arithmetic on it as a number.
      const plain = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
      return { rows: plain, rowCount: plain.length };
    },
  };
}

type Guarded = "auth.login" | "auth.register";
const GUARDED = new Set<string>(["auth.login", "auth.register"]);

export interface AuthRateLimiter {
  /**
   * Called with the procedures of a request before any runs: throws TOO_MANY_REQUESTS (and sets
   * Retry-After on `res`) when a limit is reached, else counts the attempt.
   */
  check(req: http.IncomingMessage, res: http.ServerResponse, calls: ReadonlyArray<{ path: string; getRawInput(): Promise<unknown> }>): Promise<void>;
  /** Called for a procedure that failed, before its answer is sent: a failed login counts against the account. */
  recordFailure(path: string, input: unknown, code: string): Promise<void>;
}

export function clientAddress(req: http.IncomingMessage, trustForwardedFor: boolean): string {
  if (trustForwardedFor) {
    // Proxies append: the last entry is the one our own proxy wrote; earlier ones are whatever
    // the client sent and would let it pick a fresh address per request.
    const forwarded = req.headers["x-forwarded-for"];
    const entries = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? "")).split(",");
    const nearest = entries.map((e) => e.trim()).filter(Boolean).at(-1);
    if (nearest) return nearest;
  }
  return req.socket.remoteAddress ?? "unknown";
}

function emailOf(input: unknown): string | null {
  if (typeof input !== "object" || input === null) return null;
  const email = (input as { email?: unknown }).email;
  return typeof email === "string" && email.length <= 320 ? email.trim().toLowerCase() : null;
}

/** Keys are hashed: fixed length whatever the client sent, and no email address sits in the table. */
function keyOf(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

export function createAuthRateLimiter(db: Db, options: AuthRateLimitOptions = DEFAULT_AUTH_RATE_LIMITS): AuthRateLimiter {
  const store = prismaStore(db);
  const counter = (name: string, limit: Limit, clearExpired = false) =>
    new RateLimiterPostgres({
      storeClient: store,
      storeType: "client",
      tableName: RATE_LIMIT_TABLE,
      tableCreated: true,
      // One of the four deletes long-expired rows (every 5 minutes, the whole table).
      clearExpiredByTimeout: clearExpired,
      keyPrefix: name,
      points: limit.max,
      duration: limit.windowMs / 1000,
    });
  const counters = {
    loginIp: counter("login-ip", options.login.perIp, true),
    loginAccount: counter("login-account", options.login.perAccountFailures),
    registerIp: counter("register-ip", options.register.perIp),
    registerAccount: counter("register-account", options.register.perAccount),
  };

  function reject(res: http.ServerResponse, waitMs: number, what: string): never {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    res.setHeader("Retry-After", String(seconds));
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many ${what}; try again in ${seconds} s.` });
  }

  /** Counts one attempt; the wait in ms when that goes over the limit (the attempt is then not counted), else 0. */
  async function take(limiter: RateLimiterPostgres, key: string): Promise<number> {
    try {
      await limiter.consume(key);
      return 0;
    } catch (outcome) {
      // A rejection with a RateLimiterRes is "over the limit"; anything else is the store failing.
      if (!(outcome instanceof RateLimiterRes)) throw outcome;
      await limiter.reward(key);
      return Math.max(1, outcome.msBeforeNext);
    }
  }

  return {
    async check(req, res, calls) {
      const guarded = calls.filter((c) => GUARDED.has(c.path));
      if (guarded.length === 0) return;
      const ip = keyOf(clientAddress(req, options.trustForwardedFor));
      for (const call of guarded) {
        const path = call.path as Guarded;
        // Unparseable input is left to the procedure's validation (a 400 naming the field).
        const email = emailOf(await call.getRawInput().catch(() => null));
        const what = path === "auth.login" ? "sign-in attempts" : "registration attempts";
        if (path === "auth.login") {
          // Failures only, counted by recordFailure: here the account is only looked at.
          const failures = email ? await counters.loginAccount.get(keyOf(email)) : null;
          const ipWait = await take(counters.loginIp, ip);
          if (ipWait > 0) reject(res, ipWait, `${what} from this address`);
          if (failures && failures.consumedPoints >= options.login.perAccountFailures.max) {
            await counters.loginIp.reward(ip);
            reject(res, failures.msBeforeNext, "failed sign-in attempts for this account");
          }
        } else {
          const ipWait = await take(counters.registerIp, ip);
          if (ipWait > 0) reject(res, ipWait, `${what} from this address`);
          const accountWait = email ? await take(counters.registerAccount, keyOf(email)) : 0;
          if (accountWait > 0) {
            // A refused attempt does not use up the address's allowance.
            await counters.registerIp.reward(ip);
            reject(res, accountWait, `${what} for this email`);
          }
        }
      }
    },
    async recordFailure(path, input, code) {
      // Wrong credentials only: a validation error or an auth-service outage is not a guess.
      if (path !== "auth.login" || code !== "UNAUTHORIZED") return;
      const email = emailOf(input);
      if (email) await counters.loginAccount.penalty(keyOf(email));
    },
  };
}
