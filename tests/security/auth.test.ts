// Sign-in and registration throttling, token expiry and sign-out, through the API over HTTP with
// the reference auth service (real argon2 hashes, real ES256 tokens).
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createMetricsRegistry } from "~/lib/metrics";
import { createAccessTokenVerifier } from "~/core/integrations/auth";
import { createSessionGuard } from "~/core/domain/auth/sessions";
import { createApiServer, type ApiServer } from "~/server/http/server";
import { createAuthRateLimiter, DEFAULT_AUTH_RATE_LIMITS } from "~/server/http/rate-limit";
import { startTestApi, type TestApi } from "../helpers/api.ts";
import { CALL_TIMEOUT_MS, testClock } from "../helpers/wait.ts";
import { errorMessage, send } from "../fuzz/http.ts";

const PASSWORD = "correct-horse-battery";

let api: TestApi;
const servers: ApiServer[] = [];

async function listen(server: ApiServer): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
}

function call(base: string, procedure: string, input: unknown, headers: Record<string, string> = {}) {
  return send(base, {
    method: "POST",
    path: `/trpc/${procedure}`,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ json: input }),
  });
}

const tokenOf = (text: string) => (JSON.parse(text) as { result: { data: { json: { token: string } } } }).result.data.json.token;
const expiresAtOf = (text: string) => (JSON.parse(text) as { result: { data: { json: { expiresAt: string } } } }).result.data.json.expiresAt;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  for (const s of servers) await s.shutdown(1_000);
  await api?.close();
});

describe("rate limits", () => {
  // The counters live in the database and their windows run on the wall clock: a day long here, so
  // on a slow machine the attempts of one test cannot age out before the limit is reached.
  const still = () => ({ ...api.deps, now: testClock().now });
  const DAY_MS = 86_400_000;
  const limits = {
    login: { perIp: { max: 8, windowMs: DAY_MS }, perAccountFailures: { max: 3, windowMs: DAY_MS } },
    register: { perIp: { max: 4, windowMs: DAY_MS }, perAccount: { max: 2, windowMs: DAY_MS } },
  };
  // Every test's servers see the same client address (127.0.0.1): each starts from empty counters.
  beforeEach(async () => {
    await api.deps.db.$executeRaw`DELETE FROM "RateLimit"`;
  });

  it("failed sign-ins lock the account (429 with Retry-After and a clear message), not other accounts", async () => {
    const base = await listen(createApiServer({ deps: still(), registry: createMetricsRegistry("rl1"), maxBodyBytes: 100_000, authRateLimits: limits }));
    const email = `victim-${Date.now()}@example.test`;
    const other = `other-${Date.now()}@example.test`;
    expect((await call(base, "auth.register", { email, password: PASSWORD, displayName: "Victim" })).status).toBe(200);
    expect((await call(base, "auth.register", { email: other, password: PASSWORD, displayName: "Other" })).status).toBe(200);
    for (let i = 0; i < 3; i += 1) expect((await call(base, "auth.login", { email, password: `wrong-${i}` })).status).toBe(401);
    const blocked = await call(base, "auth.login", { email: email.toUpperCase(), password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    expect(errorMessage(blocked.text)).toMatch(/Too many failed sign-in attempts for this account; try again in \d+ s/);
    // Another account from the same address is unaffected; successful sign-ins never count.
    for (let i = 0; i < 4; i += 1) expect((await call(base, "auth.login", { email: other, password: PASSWORD })).status).toBe(200);
  });

  it("one address gets a bounded number of sign-in attempts whatever the accounts; X-Forwarded-For is ignored unless trusted", async () => {
    const base = await listen(createApiServer({ deps: still(), registry: createMetricsRegistry("rl2"), maxBodyBytes: 100_000, authRateLimits: limits }));
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const res = await call(base, "auth.login", { email: `nobody-${i}@example.test`, password: "whatever-1" }, { "x-forwarded-for": `203.0.113.${i}` });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(8)).toEqual([429, 429]);
  });

  it("behind a trusted proxy the limit is per forwarded client address", async () => {
    const base = await listen(
      createApiServer({ deps: still(), registry: createMetricsRegistry("rl3"), maxBodyBytes: 100_000, authRateLimits: { ...limits, trustForwardedFor: true } }),
    );
    // The proxy appends the address it saw; a client-supplied entry in front of it changes nothing.
    for (let i = 0; i < 8; i += 1) {
      await call(base, "auth.login", { email: `a${i}@example.test`, password: "whatever-1" }, { "x-forwarded-for": `203.0.113.${i}, 198.51.100.7` });
    }
    const limited = await call(base, "auth.login", { email: "b@example.test", password: "whatever-1" }, { "x-forwarded-for": "198.51.100.7" });
    expect(limited.status).toBe(429);
    const otherClient = await call(base, "auth.login", { email: "b@example.test", password: "whatever-1" }, { "x-forwarded-for": "198.51.100.8" });
    expect(otherClient.status).toBe(401);
  });

  it("registration is limited per email and per address", async () => {
    const base = await listen(createApiServer({ deps: still(), registry: createMetricsRegistry("rl4"), maxBodyBytes: 100_000, authRateLimits: limits }));
    const email = `dup-${Date.now()}@example.test`;
    expect((await call(base, "auth.register", { email, password: PASSWORD, displayName: "A" })).status).toBe(200);
    expect((await call(base, "auth.register", { email, password: PASSWORD, displayName: "A" })).status).toBe(409);
    const perEmail = await call(base, "auth.register", { email, password: PASSWORD, displayName: "A" });
    expect(perEmail.status).toBe(429);
    expect(errorMessage(perEmail.text)).toMatch(/registration attempts for this email/);
    // Refused attempts do not count: this address has used 2 of 4.
    expect((await call(base, "auth.register", { email: `x-${Date.now()}@example.test`, password: PASSWORD, displayName: "B" })).status).toBe(200);
    expect((await call(base, "auth.register", { email: `w-${Date.now()}@example.test`, password: PASSWORD, displayName: "B" })).status).toBe(200);
    const perIp = await call(base, "auth.register", { email: `y-${Date.now()}@example.test`, password: PASSWORD, displayName: "C" });
    expect(perIp.status).toBe(429);
    expect(errorMessage(perIp.text)).toMatch(/registration attempts from this address/);
    expect(perIp.headers["retry-after"]).toBeDefined();
  });

  it("two API servers on one database share the limits: neither lets an account or an address past them", async () => {
    const [a, b] = [
      await listen(createApiServer({ deps: still(), registry: createMetricsRegistry("rl5a"), maxBodyBytes: 100_000, authRateLimits: limits })),
      await listen(createApiServer({ deps: still(), registry: createMetricsRegistry("rl5b"), maxBodyBytes: 100_000, authRateLimits: limits })),
    ];
    const email = `shared-${Date.now()}@example.test`;
    expect((await call(a, "auth.register", { email, password: PASSWORD, displayName: "Shared" })).status).toBe(200);
    // Three failures, spread over both servers: each saw fewer than the limit of 3 itself.
    expect((await call(a, "auth.login", { email, password: "wrong-1" })).status).toBe(401);
    expect((await call(b, "auth.login", { email, password: "wrong-2" })).status).toBe(401);
    expect((await call(a, "auth.login", { email, password: "wrong-3" })).status).toBe(401);
    for (const base of [a, b]) {
      const blocked = await call(base, "auth.login", { email, password: PASSWORD });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    }
    // Per address too: 3 of the 8 sign-in attempts are used (the refused ones do not count).
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await call(i % 2 === 0 ? a : b, "auth.login", { email: `n${i}@example.test`, password: "whatever-1" })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it("windows are fixed from the first attempt and end: attempts age out (faked clock)", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: 1_000_000 });
    try {
      const limiter = createAuthRateLimiter(api.deps.db, { ...DEFAULT_AUTH_RATE_LIMITS, register: { perIp: { max: 2, windowMs: 10_000 }, perAccount: { max: 100, windowMs: 10_000 } } });
      const headers: Record<string, string> = {};
      const req = { headers: {}, socket: { remoteAddress: "192.0.2.10" } } as never;
      const res = { setHeader: (name: string, value: string) => (headers[name] = value) } as never;
      const register = (email: string) => limiter.check(req, res, [{ path: "auth.register", getRawInput: async () => ({ email }) }]);
      await register("a@example.test");
      vi.setSystemTime(1_004_000);
      await register("b@example.test");
      await expect(register("c@example.test")).rejects.toThrow("Too many registration attempts from this address; try again in 6 s.");
      expect(headers["Retry-After"]).toBe("6");
      vi.setSystemTime(1_010_001);
      await expect(register("c@example.test")).resolves.toBeUndefined();
      // The limiter ignores other procedures entirely.
      await api.deps.db.$executeRaw`DELETE FROM "RateLimit"`;
      await limiter.recordFailure("catalog.list", { email: "a@b.c" }, "UNAUTHORIZED");
      await limiter.check(req, res, [{ path: "catalog.list", getRawInput: async () => ({ email: "a@b.c" }) }]);
      expect(await api.deps.db.rateLimit.count()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("sessions", () => {
  it("an expired access token is a 401 saying so", async () => {
    // The production verifier with no clock tolerance, on a clock the test moves past the token's
    // lifetime: however long registering takes, the token is fresh until the test says otherwise.
    const clock = testClock();
    const { auth, db, logger } = api.deps;
    const verify = createAccessTokenVerifier({ jwksUrl: auth.jwksUrl, issuer: api.authService.issuer, audience: api.authService.audience, clockToleranceSeconds: 0, timeoutMs: CALL_TIMEOUT_MS, now: clock.now });
    const deps = { ...api.deps, sessions: createSessionGuard({ db, logger, auth, verify, revocationRefreshMs: 0 }) };
    const base = await listen(createApiServer({ deps, registry: createMetricsRegistry("exp"), maxBodyBytes: 100_000 }));
    const registered = await call(base, "auth.register", { email: `exp-${Date.now()}@example.test`, password: PASSWORD, displayName: "Exp" });
    expect(registered.status).toBe(200);
    const token = tokenOf(registered.text);
    expect((await send(base, { method: "GET", path: "/trpc/auth.me", headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    clock.advance(new Date(expiresAtOf(registered.text)).getTime() - clock.millis());
    const expired = await send(base, { method: "GET", path: "/trpc/auth.me", headers: { authorization: `Bearer ${token}` } });
    expect(expired.status).toBe(401);
    expect(errorMessage(expired.text)).toMatch(/expired/);
  });

  it("logout revokes the session: the same token is refused afterwards", async () => {
    const base = await listen(createApiServer({ deps: api.deps, registry: createMetricsRegistry("logout"), maxBodyBytes: 100_000 }));
    const registered = await call(base, "auth.register", { email: `out-${Date.now()}@example.test`, password: PASSWORD, displayName: "Out" });
    const token = tokenOf(registered.text);
    const authz = { authorization: `Bearer ${token}` };
    expect((await send(base, { method: "GET", path: "/trpc/cart.view", headers: authz })).status).toBe(200);
    expect((await call(base, "auth.logout", undefined, authz)).status).toBe(200);
    const after = await send(base, { method: "GET", path: "/trpc/cart.view", headers: authz });
    expect(after.status).toBe(401);
    expect(errorMessage(after.text)).toMatch(/session has ended|sign in/i);
  });

  it("a tampered token is refused", async () => {
    const base = await listen(createApiServer({ deps: api.deps, registry: createMetricsRegistry("tamper"), maxBodyBytes: 100_000 }));
    const token = tokenOf((await call(base, "auth.register", { email: `t-${Date.now()}@example.test`, password: PASSWORD, displayName: "T" })).text);
    const [h, p, s] = token.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, role: "admin" })).toString("base64url")}.${s}`;
    const res = await send(base, { method: "GET", path: "/trpc/auth.me", headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
  });
});
