import { DomainError } from "~/core/errors";
import { describe, expect, test } from "vitest";
import type { Db } from "~/lib/db";
import { createLogger } from "~/lib/logger";
import { InvalidAccessTokenError, type AccessTokenClaims, type AuthClient } from "~/core/integrations/auth";
import { ExternalServiceError } from "~/core/integrations/errors";
import { bearerToken, createSessionGuard } from "./sessions";

const claims = (over: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  sub: "u1",
  email: "a@example.test",
  name: "A",
  role: "buyer",
  sid: "s1",
  iat: 0,
  exp: 0,
  iss: "lavka-auth",
  aud: "lavka-api",
  ...over,
});

function setup(opts: { refreshMs?: number; revoked?: string[]; failList?: boolean } = {}) {
  let clock = 1_000_000;
  const calls = { list: 0, upsert: 0 };
  const tokens = new Map<string, AccessTokenClaims>([
    ["t1", claims()],
    ["t2", claims({ sid: "s2" })],
    ["renamed", claims({ name: "A. Renamed" })],
  ]);
  const auth: Pick<AuthClient, "listRevocations"> = {
    listRevocations: async () => {
      calls.list += 1;
      if (opts.failList) throw new ExternalServiceError({ service: "auth", kind: "unavailable", message: "down" });
      return { revoked: (opts.revoked ?? []).map((sessionId) => ({ sessionId, revokedAt: new Date(clock).toISOString() })), asOf: new Date(clock).toISOString() };
    },
  };
  const db = { user: { upsert: async () => ((calls.upsert += 1), { id: "u1" }) } } as unknown as Db;
  const guard = createSessionGuard({
    db,
    logger: createLogger("test", "silent"),
    auth,
    verify: async (token) => {
      const c = tokens.get(token);
      if (!c) throw new InvalidAccessTokenError("invalid_signature", "The access token signature is invalid; sign in again.");
      return c;
    },
    revocationRefreshMs: opts.refreshMs ?? 5_000,
    now: () => clock,
  });
  return { guard, calls, tick: (ms: number) => (clock += ms) };
}

describe("session guard", () => {
  test("the revocation list is fetched at most once per interval, the user row written only when it changes", async () => {
    const { guard, calls, tick } = setup();
    for (let i = 0; i < 10; i += 1) await guard.authenticate("t1");
    expect(calls).toEqual({ list: 1, upsert: 1 });
    tick(5_001);
    await guard.authenticate("t1");
    expect(calls.list).toBe(2);
    await guard.authenticate("renamed");
    expect(calls.upsert).toBe(2);
  });

  test("revoked sessions and forgotten ones are refused with a reason", async () => {
    const { guard } = setup({ revoked: ["s2"] });
    await expect(guard.authenticate("t2")).rejects.toMatchObject({ kind: "unauthenticated", message: expect.stringMatching(/session has ended/) });
    await guard.authenticate("t1");
    guard.forget("s1");
    await expect(guard.authenticate("t1")).rejects.toBeInstanceOf(DomainError);
  });

  test("bad tokens are refused as unauthenticated with the verifier's message", async () => {
    const { guard } = setup();
    await expect(guard.authenticate("forged")).rejects.toMatchObject({ kind: "unauthenticated", message: expect.stringMatching(/signature is invalid/) });
  });

  test("an auth outage does not sign everyone out, and is not retried on every request", async () => {
    const { guard, calls } = setup({ failList: true });
    await guard.authenticate("t1");
    await guard.authenticate("t1");
    expect(calls.list).toBe(1);
  });

  test("bearerToken: absent is anonymous, anything else but Bearer is refused", () => {
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(() => bearerToken("Basic abc")).toThrow(/Bearer <access token>/);
    expect(() => bearerToken("Bearer")).toThrow(DomainError);
  });
});
