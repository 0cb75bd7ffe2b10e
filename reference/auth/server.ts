import { randomUUID } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, createLocalJWKSet, type JWK } from "jose";
import type pg from "pg";
import type { Logger } from "pino";
import { z } from "zod";
import { createLogger } from "../../src/lib/logger";
import { openSchema } from "../lib/db";
import { HttpError, iso, parse, requireServiceToken, route, serve, type RequestContext } from "../lib/http";

/**
 * Reference implementation of Service 1, the auth service (docs/contracts/auth.md).
 * Passwords are hashed with argon2id; access tokens are ES256 JWTs whose signing key
 * is generated on first start and kept in the schema, so restarts keep old tokens valid.
 */

export interface AuthServiceOptions {
  databaseUrl: string;
  port: number;
  host?: string;
  /** Required on service-to-service endpoints as `X-Service-Token`. */
  serviceToken: string;
  /** Connection pool size. Default 10 (keep it small on single-session PGlite). */
  poolSize?: number;
  issuer?: string;
  audience?: string;
  /** Access token lifetime. Default 3600 s. */
  tokenTtlSeconds?: number;
  /** The clock tokens and sessions are issued and expire by (tests move it). Default: the system clock. */
  now?: () => Date;
  /** Creates (or resets) an admin account on start: the only way to get the first admin. */
  bootstrapAdmin?: { email: string; password: string; displayName?: string };
  logger?: Logger;
}

export interface RunningAuthService {
  url: string;
  issuer: string;
  audience: string;
  close(): Promise<void>;
}

const DDL = `
CREATE TABLE IF NOT EXISTS users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('buyer', 'seller', 'admin')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS sessions_user_idx ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_revoked_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  private_jwk jsonb NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

const ALG = "ES256";

const emailSchema = z
  .string()
  .trim()
  .max(254)
  .email()
  .transform((e) => e.toLowerCase());
const passwordSchema = z.string().min(8, "must be at least 8 characters").max(256);
const displayNameSchema = z.string().trim().min(1).max(100);
const roleSchema = z.enum(["buyer", "seller", "admin"]);

const registerSchema = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  displayName: displayNameSchema,
  role: z.enum(["buyer", "seller"], { message: "role must be buyer or seller" }),
});
const loginSchema = z.strictObject({ email: emailSchema, password: z.string().min(1).max(256) });
const changePasswordSchema = z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: passwordSchema });
const setRoleSchema = z.strictObject({ role: roleSchema });
const uuidSchema = z.uuid();

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  display_name: string;
  role: "buyer" | "seller" | "admin";
  created_at: Date;
  updated_at: Date;
}

const userJson = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  displayName: u.display_name,
  role: u.role,
  createdAt: iso(u.created_at),
  updatedAt: iso(u.updated_at),
});

async function loadOrCreateKey(pool: pg.Pool): Promise<{ kid: string; privateJwk: JWK; publicJwk: JWK }> {
  const existing = await pool.query<{ kid: string; private_jwk: JWK; public_jwk: JWK }>(
    "SELECT kid, private_jwk, public_jwk FROM signing_keys ORDER BY created_at DESC LIMIT 1",
  );
  const row = existing.rows[0];
  if (row) return { kid: row.kid, privateJwk: row.private_jwk, publicJwk: row.public_jwk };
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = randomUUID();
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: "sig" };
  // A concurrent first start may have inserted its own key; the newest one wins for both.
  await pool.query("INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk) VALUES ($1, $2, $3, $4)", [
    kid,
    ALG,
    privateJwk,
    publicJwk,
  ]);
  return loadOrCreateKey(pool);
}

// Argon2id with the library defaults (19 MiB, t=2): OWASP's baseline.
const hashPassword = (password: string) => hash(password);

export async function startAuthService(options: AuthServiceOptions): Promise<RunningAuthService> {
  const logger = options.logger ?? createLogger("ref-auth", "warn");
  const issuer = options.issuer ?? "lavka-auth";
  const audience = options.audience ?? "lavka-api";
  const ttl = options.tokenTtlSeconds ?? 3600;
  const now = options.now ?? (() => new Date());
  const pool = await openSchema(options.databaseUrl, "ref_auth", DDL, options.poolSize ?? 10);
  const key = await loadOrCreateKey(pool);
  const privateKey = await importJWK(key.privateJwk, ALG);
  const publicKeys = (await pool.query<{ public_jwk: JWK }>("SELECT public_jwk FROM signing_keys ORDER BY created_at DESC"))
    .rows.map((r) => r.public_jwk);
  const localJwks = createLocalJWKSet({ keys: publicKeys });
  // Verifying a real hash for unknown emails keeps login time the same, so timing does not reveal accounts.
  const dummyHash = await hashPassword(randomUUID());

  if (options.bootstrapAdmin) {
    const email = parse(emailSchema, options.bootstrapAdmin.email);
    const passwordHash = await hashPassword(parse(passwordSchema, options.bootstrapAdmin.password));
    await pool.query(
      `INSERT INTO users (email, password_hash, display_name, role) VALUES ($1, $2, $3, 'admin')
       ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = 'admin', updated_at = now()`,
      [email, passwordHash, options.bootstrapAdmin.displayName ?? "Administrator"],
    );
    logger.info({ email }, "bootstrap admin ensured");
  }

  async function issueSession(user: UserRow) {
    const sessionId = randomUUID();
    const issuedAt = Math.floor(now().getTime() / 1000);
    const exp = issuedAt + ttl;
    await pool.query("INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, to_timestamp($3))", [
      sessionId,
      user.id,
      exp,
    ]);
    const accessToken = await new SignJWT({ email: user.email, name: user.display_name, role: user.role, sid: sessionId })
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ: "JWT" })
      .setSubject(user.id)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(exp)
      .sign(privateKey);
    return { accessToken, tokenType: "Bearer" as const, sessionId, expiresAt: iso(new Date(exp * 1000)), user: userJson(user) };
  }

  /** Resolves the caller's own bearer token to a live session, or answers 401. */
  async function authenticate(ctx: RequestContext): Promise<{ userId: string; sessionId: string }> {
    const header = ctx.header("authorization");
    const token = header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
    if (!token) throw new HttpError(401, "invalid_token", "Authorization: Bearer <access token> is required.");
    let sub: string;
    let sid: string;
    try {
      const { payload } = await jwtVerify(token, localJwks, { issuer, audience, algorithms: [ALG], currentDate: now() });
      if (typeof payload.sub !== "string" || typeof payload.sid !== "string") throw new Error("claims");
      sub = payload.sub;
      sid = payload.sid;
    } catch {
      throw new HttpError(401, "invalid_token", "The access token is invalid or expired; sign in again.");
    }
    const session = await pool.query<{ revoked_at: Date | null }>("SELECT revoked_at FROM sessions WHERE id = $1 AND user_id = $2", [
      sid,
      sub,
    ]);
    const row = session.rows[0];
    if (!row || row.revoked_at) throw new HttpError(401, "session_revoked", "This session has ended; sign in again.");
    return { userId: sub, sessionId: sid };
  }

  const findUser = async (id: string) => {
    if (!uuidSchema.safeParse(id).success) return undefined;
    return (await pool.query<UserRow>("SELECT * FROM users WHERE id = $1", [id])).rows[0];
  };

  const routes = [
    route("GET", "/healthz", async () => {
      await pool.query("SELECT 1");
      return { status: 200, body: { status: "ok" } };
    }),
    route("GET", "/.well-known/jwks.json", () => ({
      status: 200,
      body: { keys: publicKeys },
      headers: { "cache-control": "public, max-age=300" },
    })),

    route("POST", "/v1/users", async (ctx) => {
      const input = parse(registerSchema, ctx.body);
      const passwordHash = await hashPassword(input.password);
      const inserted = await pool.query<UserRow>(
        `INSERT INTO users (email, password_hash, display_name, role) VALUES ($1, $2, $3, $4)
         ON CONFLICT (email) DO NOTHING RETURNING *`,
        [input.email, passwordHash, input.displayName, input.role],
      );
      const user = inserted.rows[0];
      if (!user) throw new HttpError(409, "email_taken", "An account with this email already exists; sign in instead.");
      logger.info({ userId: user.id, role: user.role }, "user registered");
      return { status: 201, body: await issueSession(user) };
    }),

    route("POST", "/v1/sessions", async (ctx) => {
      const input = parse(loginSchema, ctx.body);
      const user = (await pool.query<UserRow>("SELECT * FROM users WHERE email = $1", [input.email])).rows[0];
      const ok = await verify(user?.password_hash ?? dummyHash, input.password);
      if (!user || !ok) throw new HttpError(401, "invalid_credentials", "Email or password is incorrect.");
      return { status: 201, body: await issueSession(user) };
    }),

    route("DELETE", "/v1/sessions/current", async (ctx) => {
      const header = ctx.header("authorization");
      const token = header?.startsWith("Bearer ") ? header.slice(7).trim() : "";
      try {
        const { payload } = await jwtVerify(token, localJwks, { issuer, audience, algorithms: [ALG], currentDate: now() });
        // Revoking an already revoked session is fine: logout is idempotent.
        await pool.query("UPDATE sessions SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND user_id = $2", [
          payload.sid,
          payload.sub,
        ]);
      } catch (err) {
        // An expired or broken token has nothing left to revoke; signing out still succeeds.
        if (err instanceof HttpError) throw err;
      }
      return { status: 204 };
    }),

    route("GET", "/v1/me", async (ctx) => {
      const { userId } = await authenticate(ctx);
      const user = await findUser(userId);
      if (!user) throw new HttpError(404, "not_found", "User not found.");
      return { status: 200, body: userJson(user) };
    }),

    route("POST", "/v1/me/password", async (ctx) => {
      const { userId, sessionId } = await authenticate(ctx);
      const input = parse(changePasswordSchema, ctx.body);
      const user = await findUser(userId);
      if (!user || !(await verify(user.password_hash, input.currentPassword))) {
        throw new HttpError(401, "invalid_credentials", "The current password is incorrect.");
      }
      if (input.currentPassword === input.newPassword) {
        throw new HttpError(400, "validation_failed", "The new password must differ from the current one.");
      }
      await pool.query("UPDATE users SET password_hash = $1, updated_at = now() WHERE id = $2", [
        await hashPassword(input.newPassword),
        userId,
      ]);
      // Whoever else holds a session (perhaps the reason for the change) is signed out.
      await pool.query("UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL", [
        userId,
        sessionId,
      ]);
      logger.info({ userId }, "password changed");
      return { status: 204 };
    }),

    // ---- service-to-service endpoints (X-Service-Token) ----
    route("GET", "/v1/sessions/:sid", async (ctx) => {
      requireServiceToken(ctx, options.serviceToken);
      const sid = ctx.params.sid ?? "";
      const row = uuidSchema.safeParse(sid).success
        ? (
            await pool.query<{ id: string; user_id: string; expires_at: Date; revoked_at: Date | null }>(
              "SELECT id, user_id, expires_at, revoked_at FROM sessions WHERE id = $1",
              [sid],
            )
          ).rows[0]
        : undefined;
      if (!row) throw new HttpError(404, "not_found", "No such session.");
      return {
        status: 200,
        body: {
          sessionId: row.id,
          userId: row.user_id,
          active: row.revoked_at === null && row.expires_at.getTime() > now().getTime(),
          revokedAt: row.revoked_at ? iso(row.revoked_at) : null,
          expiresAt: iso(row.expires_at),
        },
      };
    }),
    route("DELETE", "/v1/sessions/:sid", async (ctx) => {
      requireServiceToken(ctx, options.serviceToken);
      const sid = ctx.params.sid ?? "";
      if (uuidSchema.safeParse(sid).success) {
        await pool.query("UPDATE sessions SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1", [sid]);
      }
      return { status: 204 };
    }),
    route("GET", "/v1/revocations", async (ctx) => {
      requireServiceToken(ctx, options.serviceToken);
      const sinceRaw = ctx.query.get("since");
      const since = sinceRaw ? parse(z.iso.datetime(), sinceRaw) : null;
      // asOf lags a little: a revocation whose transaction began earlier but committed after this
      // query would otherwise fall between two polls. Callers keep a set, so overlap is harmless.
      const asOf = new Date(Date.now() - 5_000);
      // Only sessions whose tokens could still verify matter: expired ones are refused anyway.
      const rows = await pool.query<{ id: string; revoked_at: Date }>(
        `SELECT id, revoked_at FROM sessions
         WHERE revoked_at IS NOT NULL AND expires_at > $2 AND ($1::timestamptz IS NULL OR revoked_at > $1)
         ORDER BY revoked_at`,
        [since, now()],
      );
      return {
        status: 200,
        body: { revoked: rows.rows.map((r) => ({ sessionId: r.id, revokedAt: iso(r.revoked_at) })), asOf: iso(asOf) },
      };
    }),
    route("GET", "/v1/users", async (ctx) => {
      requireServiceToken(ctx, options.serviceToken);
      const q = parse(
        z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().optional(),
          email: emailSchema.optional(),
        }),
        Object.fromEntries(ctx.query),
      );
      // Email order: unique and stable, so the cursor is simply the last email seen.
      const after = q.cursor ? Buffer.from(q.cursor, "base64url").toString("utf8") : null;
      const rows = await pool.query<UserRow>(
        `SELECT * FROM users
         WHERE ($1::text IS NULL OR email = $1) AND ($2::text IS NULL OR email > $2)
         ORDER BY email LIMIT $3`,
        [q.email ?? null, after, q.limit + 1],
      );
      const items = rows.rows.slice(0, q.limit);
      const last = items[items.length - 1];
      const nextCursor = rows.rows.length > q.limit && last ? Buffer.from(last.email).toString("base64url") : null;
      return { status: 200, body: { items: items.map(userJson), nextCursor } };
    }),
    route("GET", "/v1/users/:id", async (ctx) => {
      requireServiceToken(ctx, options.serviceToken);
      const user = await findUser(ctx.params.id ?? "");
      if (!user) throw new HttpError(404, "not_found", "No such user.");
      return { status: 200, body: userJson(user) };
    }),
    route("PUT", "/v1/users/:id/role", async (ctx) => {
      requireServiceToken(ctx, options.serviceToken);
      const { role } = parse(setRoleSchema, ctx.body);
      const existing = await findUser(ctx.params.id ?? "");
      if (!existing) throw new HttpError(404, "not_found", "No such user.");
      if (existing.role === role) return { status: 200, body: userJson(existing) };
      const updated = await pool.query<UserRow>("UPDATE users SET role = $1, updated_at = now() WHERE id = $2 RETURNING *", [
        role,
        existing.id,
      ]);
      // Tokens carry the role; ending the user's sessions makes the change take effect now.
      await pool.query("UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", [existing.id]);
      logger.info({ userId: existing.id, from: existing.role, to: role }, "role changed");
      return { status: 200, body: userJson(updated.rows[0] as UserRow) };
    }),
  ];

  const server = await serve({ port: options.port, host: options.host, routes, logger });
  logger.info({ url: server.url }, "reference auth service listening");
  return {
    url: server.url,
    issuer,
    audience,
    async close() {
      await server.close();
      await pool.end();
    },
  };
}
