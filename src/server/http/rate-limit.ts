// Rate limits on sign-in and registration, applied at the HTTP layer (createApiServer) so the
// auth router stays about auth. Two keys per procedure:
// - per client IP: every attempt counts (password spraying, registration spam from one host);
// - per account (the email in the input): for login only failed attempts count, so a user who
//   signs in fine is never slowed down, while guessing one account's password stops after a few
//   tries whatever the number of IPs used.
// Counters live in this process (a sliding window of timestamps per key, bounded in size): with
// N API replicas an attacker gets at most N times the limit, which still defeats guessing.
import type http from "node:http";
import { TRPCError } from "@trpc/server";

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
  /** Distinct keys remembered at most; the oldest are forgotten first. */
  maxKeys: number;
}

export const DEFAULT_AUTH_RATE_LIMITS: AuthRateLimitOptions = {
  // Per address generous enough for an office behind one NAT; per account tight enough to stop guessing.
  login: { perIp: { max: 100, windowMs: 5 * 60_000 }, perAccountFailures: { max: 5, windowMs: 15 * 60_000 } },
  register: { perIp: { max: 30, windowMs: 10 * 60_000 }, perAccount: { max: 5, windowMs: 60 * 60_000 } },
  trustForwardedFor: false,
  maxKeys: 100_000,
};

/** Sliding-window counters: the timestamps of the hits inside the window, per key. */
export class SlidingWindowCounter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: Limit,
    private readonly maxKeys: number,
  ) {}

  /** Milliseconds until the key may try again (0: it may now). */
  retryAfterMs(key: string, now: number): number {
    const recent = this.recent(key, now);
    if (recent.length < this.limit.max) return 0;
    return recent[recent.length - this.limit.max]! + this.limit.windowMs - now;
  }

  hit(key: string, now: number): void {
    const recent = this.recent(key, now);
    recent.push(now);
    // Re-insert so Map order is least-recently-hit first, then evict from the front.
    this.hits.delete(key);
    this.hits.set(key, recent);
    while (this.hits.size > this.maxKeys) this.hits.delete(this.hits.keys().next().value!);
  }

  private recent(key: string, now: number): number[] {
    const all = this.hits.get(key);
    if (!all) return [];
    const from = now - this.limit.windowMs;
    const kept = all.filter((t) => t > from);
    if (kept.length === 0) this.hits.delete(key);
    else if (kept.length !== all.length) this.hits.set(key, kept);
    return kept;
  }
}

type Guarded = "auth.login" | "auth.register";
const GUARDED = new Set<string>(["auth.login", "auth.register"]);

export interface AuthRateLimiter {
  /**
   * Called with the procedures of a request before any runs: throws TOO_MANY_REQUESTS (and sets
   * Retry-After on `res`) when a limit is reached, else counts the attempt.
   */
  check(req: http.IncomingMessage, res: http.ServerResponse, calls: ReadonlyArray<{ path: string; getRawInput(): Promise<unknown> }>): Promise<void>;
  /** Called for a procedure that failed: a failed login counts against the account. */
  recordFailure(req: http.IncomingMessage, path: string | undefined, input: unknown, code: string): void;
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

export function createAuthRateLimiter(options: AuthRateLimitOptions = DEFAULT_AUTH_RATE_LIMITS, now: () => number = Date.now): AuthRateLimiter {
  const counters = {
    loginIp: new SlidingWindowCounter(options.login.perIp, options.maxKeys),
    loginAccount: new SlidingWindowCounter(options.login.perAccountFailures, options.maxKeys),
    registerIp: new SlidingWindowCounter(options.register.perIp, options.maxKeys),
    registerAccount: new SlidingWindowCounter(options.register.perAccount, options.maxKeys),
  };

  function reject(res: http.ServerResponse, waitMs: number, what: string): never {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    res.setHeader("Retry-After", String(seconds));
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many ${what}; try again in ${seconds} s.` });
  }

  return {
    async check(req, res, calls) {
      const guarded = calls.filter((c) => GUARDED.has(c.path));
      if (guarded.length === 0) return;
      const t = now();
      const ip = clientAddress(req, options.trustForwardedFor);
      for (const call of guarded) {
        const path = call.path as Guarded;
        // Unparseable input is left to the procedure's validation (a 400 naming the field).
        const email = emailOf(await call.getRawInput().catch(() => null));
        const [byIp, byAccount] = path === "auth.login" ? [counters.loginIp, counters.loginAccount] : [counters.registerIp, counters.registerAccount];
        const what = path === "auth.login" ? "sign-in attempts" : "registration attempts";
        const ipWait = byIp.retryAfterMs(ip, t);
        if (ipWait > 0) reject(res, ipWait, `${what} from this address`);
        if (email) {
          const accountWait = byAccount.retryAfterMs(email, t);
          if (accountWait > 0) reject(res, accountWait, path === "auth.login" ? "failed sign-in attempts for this account" : `${what} for this email`);
        }
        byIp.hit(ip, t);
        if (email && path === "auth.register") byAccount.hit(email, t);
      }
    },
    recordFailure(_req, path, input, code) {
      // Wrong credentials only: a validation error or an auth-service outage is not a guess.
      if (path !== "auth.login" || code !== "UNAUTHORIZED") return;
      const email = emailOf(input);
      if (email) counters.loginAccount.hit(email, now());
    },
  };
}
