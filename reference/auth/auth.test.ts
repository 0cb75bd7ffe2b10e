import { randomUUID } from "node:crypto";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/helpers/db";
import { CALL_TIMEOUT_MS, testClock } from "../../tests/helpers/wait";
import {
  createAccessTokenVerifier,
  createAuthClient,
  InvalidAccessTokenError,
  type AuthClient,
} from "../../src/core/integrations/auth";
import { toDomainError } from "../../src/core/integrations/errors";
import { toTRPCError } from "../../src/server/trpc/middleware/errors";

/** How the API answers a failed call: the core's meaning of it, then its tRPC code. */
const asApiError = (err: unknown) => toTRPCError(toDomainError(err)) as { code: string; message: string };
import { SERVICE_TOKEN, testLogger } from "../testing";
import { startAuthService, type RunningAuthService } from "./server";

let database: TestDatabase;
let service: RunningAuthService;
let auth: AuthClient;

const ADMIN = { email: "root@lavka.test", password: "admin-password-1" };

beforeAll(async () => {
  database = await createTestDatabase({ maxConnections: 1 });
  service = await startAuthService({
    databaseUrl: database.url,
    port: 0,
    serviceToken: SERVICE_TOKEN,
    bootstrapAdmin: ADMIN,
  });
  auth = createAuthClient({ baseUrl: service.url, serviceToken: SERVICE_TOKEN, logger: testLogger("auth-client"), timeoutMs: CALL_TIMEOUT_MS });
});

afterAll(async () => {
  await service?.close();
  await database?.drop();
});

const email = () => `u-${randomUUID().slice(0, 8)}@Lavka.test`;

describe("auth service", () => {
  it("registers, signs in and issues tokens that verify against the JWKS", async () => {
    const address = email();
    const registered = await auth.register({ email: address, password: "correct horse", displayName: "Ann", role: "seller" });
    expect(registered.user).toMatchObject({ email: address.toLowerCase(), displayName: "Ann", role: "seller" });

    const session = await auth.login({ email: address, password: "correct horse" });
    const { payload, protectedHeader } = await jwtVerify(session.accessToken, createRemoteJWKSet(new URL(auth.jwksUrl)), {
      issuer: "lavka-auth",
      audience: "lavka-api",
    });
    expect(protectedHeader.alg).toBe("ES256");
    expect(payload).toMatchObject({
      sub: registered.user.id,
      email: address.toLowerCase(),
      name: "Ann",
      role: "seller",
      sid: session.sessionId,
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);

    const verify = createAccessTokenVerifier({ jwksUrl: auth.jwksUrl, issuer: "lavka-auth", audience: "lavka-api", timeoutMs: CALL_TIMEOUT_MS });
    expect((await verify(session.accessToken)).role).toBe("seller");
  });

  it("rejects duplicates, bad credentials and self-registered admins with clear errors", async () => {
    const address = email();
    await auth.register({ email: address, password: "password-1", displayName: "B", role: "buyer" });
    await expect(auth.register({ email: address.toUpperCase(), password: "password-2", displayName: "B", role: "buyer" })).rejects.toMatchObject({
      kind: "rejected",
      status: 409,
      code: "email_taken",
    });
    const wrong = await auth.login({ email: address, password: "nope-nope" }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ status: 401, code: "invalid_credentials" });
    expect(asApiError(wrong)).toMatchObject({ code: "UNAUTHORIZED", message: "Email or password is incorrect." });
    await expect(auth.login({ email: email(), password: "whatever1" })).rejects.toMatchObject({ code: "invalid_credentials" });
    await expect(
      auth.register({ email: email(), password: "password-1", displayName: "C", role: "admin" as "buyer" }),
    ).rejects.toMatchObject({ status: 400, code: "validation_failed" });
    await expect(auth.register({ email: email(), password: "short", displayName: "C", role: "buyer" })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("password"),
    });
  });

  it("refuses tampered and foreign tokens", async () => {
    const session = await auth.register({ email: email(), password: "password-1", displayName: "T", role: "buyer" });
    const verify = createAccessTokenVerifier({ jwksUrl: auth.jwksUrl, issuer: "lavka-auth", audience: "lavka-api", timeoutMs: CALL_TIMEOUT_MS });
    const [h, p, s] = session.accessToken.split(".");
    const claims = JSON.parse(Buffer.from(p ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    const forged = [h, Buffer.from(JSON.stringify({ ...claims, role: "admin" })).toString("base64url"), s].join(".");
    await expect(verify(forged)).rejects.toBeInstanceOf(InvalidAccessTokenError);
    await expect(verify("not-a-jwt")).rejects.toMatchObject({ reason: "malformed" });
    const otherAudience = createAccessTokenVerifier({ jwksUrl: auth.jwksUrl, issuer: "lavka-auth", audience: "someone-else", timeoutMs: CALL_TIMEOUT_MS });
    await expect(otherAudience(session.accessToken)).rejects.toMatchObject({ reason: "invalid_claims" });
  });

  it("changes the password only with the current one, and signs out other sessions", async () => {
    const address = email();
    const first = await auth.register({ email: address, password: "password-1", displayName: "P", role: "buyer" });
    const second = await auth.login({ email: address, password: "password-1" });
    await expect(
      auth.changePassword(second.accessToken, { currentPassword: "wrong-one", newPassword: "password-2" }),
    ).rejects.toMatchObject({ status: 401, code: "invalid_credentials" });
    await auth.changePassword(second.accessToken, { currentPassword: "password-1", newPassword: "password-2" });
    await expect(auth.login({ email: address, password: "password-1" })).rejects.toMatchObject({ code: "invalid_credentials" });
    await auth.login({ email: address, password: "password-2" });
    expect((await auth.getSession(first.sessionId))?.active).toBe(false);
    expect((await auth.getSession(second.sessionId))?.active).toBe(true);
  });

  it("revokes the session on logout, visible through the session check and the revocation list", async () => {
    const session = await auth.register({ email: email(), password: "password-1", displayName: "L", role: "buyer" });
    const before = await auth.listRevocations();
    expect(await auth.getSession(session.sessionId)).toMatchObject({ active: true, revokedAt: null });
    await auth.logout(session.accessToken);
    await auth.logout(session.accessToken); // idempotent
    const status = await auth.getSession(session.sessionId);
    expect(status).toMatchObject({ sessionId: session.sessionId, active: false });
    expect(status?.revokedAt).not.toBeNull();
    const after = await auth.listRevocations(before.asOf);
    expect(after.revoked.map((r) => r.sessionId)).toContain(session.sessionId);
    expect(await auth.getSession(randomUUID())).toBeNull();
    // A revoked session cannot change the password either.
    await expect(
      auth.changePassword(session.accessToken, { currentPassword: "password-1", newPassword: "password-9" }),
    ).rejects.toMatchObject({ status: 401, code: "session_revoked" });
  });

  it("lets the service change roles, ending the user's sessions", async () => {
    const session = await auth.register({ email: email(), password: "password-1", displayName: "R", role: "buyer" });
    const updated = await auth.setRole(session.user.id, "seller");
    expect(updated.role).toBe("seller");
    expect((await auth.getSession(session.sessionId))?.active).toBe(false);
    const relogin = await auth.login({ email: session.user.email, password: "password-1" });
    expect(decodeJwt(relogin.accessToken).role).toBe("seller");
    expect(await auth.getUser(randomUUID())).toBeNull();

    const admin = await auth.login(ADMIN);
    expect(admin.user.role).toBe("admin");
    const page = await auth.listUsers({ limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();
    const next = await auth.listUsers({ limit: 2, cursor: page.nextCursor ?? undefined });
    expect(next.items[0]?.email).not.toBe(page.items[1]?.email);

    const outsider = createAuthClient({ baseUrl: service.url, serviceToken: "nope", logger: testLogger("x"), timeoutMs: CALL_TIMEOUT_MS });
    const err = await outsider.setRole(session.user.id, "admin").catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403, code: "invalid_service_token" });
    expect(asApiError(err).code).toBe("INTERNAL_SERVER_ERROR");
  });

  it("keeps its signing key across restarts", async () => {
    const session = await auth.register({ email: email(), password: "password-1", displayName: "K", role: "buyer" });
    const restarted = await startAuthService({ databaseUrl: database.url, port: 0, serviceToken: SERVICE_TOKEN });
    try {
      const verify = createAccessTokenVerifier({
        jwksUrl: `${restarted.url}/.well-known/jwks.json`,
        issuer: "lavka-auth",
        audience: "lavka-api",
        timeoutMs: CALL_TIMEOUT_MS,
      });
      expect((await verify(session.accessToken)).sub).toBe(session.user.id);
    } finally {
      await restarted.close();
    }
  });

  it("expires tokens after the configured lifetime", async () => {
    // Issuer and verifier share a clock the test moves: registering may take any time.
    const clock = testClock();
    const shortLived = await startAuthService({ databaseUrl: database.url, port: 0, serviceToken: SERVICE_TOKEN, tokenTtlSeconds: 2, now: clock.now });
    try {
      const c = createAuthClient({ baseUrl: shortLived.url, serviceToken: SERVICE_TOKEN, logger: testLogger("auth-short"), timeoutMs: CALL_TIMEOUT_MS });
      const session = await c.register({ email: email(), password: "password-1", displayName: "E", role: "buyer" });
      const verify = createAccessTokenVerifier({ jwksUrl: c.jwksUrl, issuer: "lavka-auth", audience: "lavka-api", clockToleranceSeconds: 0, timeoutMs: CALL_TIMEOUT_MS, now: clock.now });
      expect((await verify(session.accessToken)).sub).toBe(session.user.id);
      clock.advance(2_000);
      await expect(verify(session.accessToken)).rejects.toMatchObject({ reason: "expired" });
    } finally {
      await shortLived.close();
    }
  });

  it("reports an unreachable key set as the auth service being unavailable", async () => {
    const verify = createAccessTokenVerifier({
      jwksUrl: "http://127.0.0.1:1/.well-known/jwks.json",
      issuer: "lavka-auth",
      audience: "lavka-api",
    });
    const session = await auth.register({ email: email(), password: "password-1", displayName: "U", role: "buyer" });
    await expect(verify(session.accessToken)).rejects.toMatchObject({ service: "auth", kind: "unavailable" });
  });
});
