import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from "jose";
import { z } from "zod";
import { ExternalServiceError, orNull } from "./errors";
import { createHttpClient, type ClientOptions, type HttpClient } from "./http";

/**
 * Client for Service 1, the auth service (contract: docs/contracts/auth.md).
 * The API never sees password hashes; it forwards credentials here and verifies
 * the returned JWTs locally against the published JWKS.
 */

export const roleSchema = z.enum(["buyer", "seller", "admin"]);
export type Role = z.infer<typeof roleSchema>;

export const authUserSchema = z.object({
  id: z.string().min(1),
  email: z.string().email(),
  displayName: z.string(),
  role: roleSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type AuthUser = z.infer<typeof authUserSchema>;

export const authSessionSchema = z.object({
  accessToken: z.string().min(1),
  tokenType: z.literal("Bearer"),
  sessionId: z.string().min(1),
  expiresAt: z.iso.datetime(),
  user: authUserSchema,
});
export type AuthSession = z.infer<typeof authSessionSchema>;

export const sessionStatusSchema = z.object({
  sessionId: z.string(),
  userId: z.string(),
  active: z.boolean(),
  revokedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime(),
});
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

export const revocationListSchema = z.object({
  revoked: z.array(z.object({ sessionId: z.string(), revokedAt: z.iso.datetime() })),
  /** Pass as `since` next time to get only newer revocations. */
  asOf: z.iso.datetime(),
});
export type RevocationList = z.infer<typeof revocationListSchema>;

export const userPageSchema = z.object({
  items: z.array(authUserSchema),
  nextCursor: z.string().nullable(),
});
export type UserPage = z.infer<typeof userPageSchema>;

export const jwksSchema = z.object({
  keys: z.array(z.object({ kty: z.string(), kid: z.string().optional() }).passthrough()).min(1),
});

export interface RegisterInput {
  email: string;
  password: string;
  displayName: string;
  /** Self-registration gives buyer or seller; admin comes only from bootstrap or setRole. */
  role: "buyer" | "seller";
}

export interface LoginInput {
  email: string;
  password: string;
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

/** What domain code depends on; tests can hand in a fake. */
export interface AuthClient {
  /** Creates the account and signs it in. Rejects 409 `email_taken`. */
  register(input: RegisterInput): Promise<AuthSession>;
  /** Rejects 401 `invalid_credentials` (same answer for unknown email and wrong password). */
  login(input: LoginInput): Promise<AuthSession>;
  /** Revokes the session the token belongs to. Safe to repeat. */
  logout(accessToken: string): Promise<void>;
  /** Needs the current password; revokes the user's other sessions. */
  changePassword(accessToken: string, input: ChangePasswordInput): Promise<void>;
  /** Revocation check for one session; null when the service never issued it. */
  getSession(sessionId: string): Promise<SessionStatus | null>;
  /** Sessions revoked after `since` (all still-unexpired revocations when omitted). */
  listRevocations(since?: string): Promise<RevocationList>;
  /** Revokes any session (admin action, or after a role change). Safe to repeat. */
  revokeSession(sessionId: string): Promise<void>;
  getUser(userId: string): Promise<AuthUser | null>;
  listUsers(params?: { limit?: number; cursor?: string; email?: string }): Promise<UserPage>;
  /** Changes a role; the user's sessions are revoked so the new role applies at next login. */
  setRole(userId: string, role: Role): Promise<AuthUser>;
  /** The published key set (the verifier below fetches and caches it itself). */
  getJwks(): Promise<z.infer<typeof jwksSchema>>;
  readonly jwksUrl: string;
  readonly http: HttpClient;
}

export interface AuthClientOptions extends ClientOptions {
  /** Sent as `X-Service-Token` on service-to-service endpoints. */
  serviceToken: string;
}

export function createAuthClient(options: AuthClientOptions): AuthClient {
  const http = createHttpClient({
    ...options,
    service: "auth",
    defaultTimeoutMs: 3_000,
    headers: { "x-service-token": options.serviceToken },
  });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const jwksUrl = new URL(".well-known/jwks.json", http.baseUrl.endsWith("/") ? http.baseUrl : `${http.baseUrl}/`).href;

  return {
    http,
    jwksUrl,
    register: (input) =>
      http.request({ method: "POST", path: "/v1/users", json: input, schema: authSessionSchema, operation: "register an account" }),
    login: (input) =>
      http.request({ method: "POST", path: "/v1/sessions", json: input, schema: authSessionSchema, operation: "sign in" }),
    logout: (accessToken) =>
      http.request({
        method: "DELETE",
        path: "/v1/sessions/current",
        headers: bearer(accessToken),
        schema: null,
        idempotent: true,
        operation: "sign out",
      }),
    changePassword: (accessToken, input) =>
      http.request({
        method: "POST",
        path: "/v1/me/password",
        headers: bearer(accessToken),
        json: input,
        schema: null,
        operation: "change the password",
      }),
    getSession: (sessionId) =>
      orNull(
        http.request({
          method: "GET",
          path: `/v1/sessions/${encodeURIComponent(sessionId)}`,
          schema: sessionStatusSchema,
          idempotent: true,
          operation: "check a session",
        }),
      ),
    listRevocations: (since) =>
      http.request({
        method: "GET",
        path: "/v1/revocations",
        searchParams: { since },
        schema: revocationListSchema,
        idempotent: true,
        operation: "list revoked sessions",
      }),
    revokeSession: (sessionId) =>
      http.request({
        method: "DELETE",
        path: `/v1/sessions/${encodeURIComponent(sessionId)}`,
        schema: null,
        idempotent: true,
        operation: "revoke a session",
      }),
    getUser: (userId) =>
      orNull(
        http.request({
          method: "GET",
          path: `/v1/users/${encodeURIComponent(userId)}`,
          schema: authUserSchema,
          idempotent: true,
          operation: "load a user",
        }),
      ),
    listUsers: (params = {}) =>
      http.request({
        method: "GET",
        path: "/v1/users",
        searchParams: { limit: params.limit, cursor: params.cursor, email: params.email },
        schema: userPageSchema,
        idempotent: true,
        operation: "list users",
      }),
    setRole: (userId, role) =>
      http.request({
        method: "PUT",
        path: `/v1/users/${encodeURIComponent(userId)}/role`,
        json: { role },
        schema: authUserSchema,
        // Setting an absolute value: repeating it changes nothing.
        idempotent: true,
        operation: "change a user's role",
      }),
    getJwks: () =>
      http.request({
        method: "GET",
        path: "/.well-known/jwks.json",
        schema: jwksSchema,
        idempotent: true,
        operation: "fetch signing keys",
      }),
  };
}

/* ---------------------------------------------------------------------------------- */
/* Local token verification                                                            */
/* ---------------------------------------------------------------------------------- */

export const accessTokenClaimsSchema = z.object({
  sub: z.string().min(1),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  sid: z.string().min(1),
  iat: z.number(),
  exp: z.number(),
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;

/** The token is missing, malformed, tampered with, expired or for someone else: answer 401. */
export class InvalidAccessTokenError extends Error {
  override readonly name = "InvalidAccessTokenError";
  constructor(
    readonly reason: "expired" | "invalid_signature" | "invalid_claims" | "malformed",
    message: string,
  ) {
    super(message);
  }
}

export interface AccessTokenVerifierOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Seconds of clock skew tolerated. Default 30. */
  clockToleranceSeconds?: number;
  /** How long the fetched key set is trusted before a refetch. Default 10 min. */
  cacheMaxAgeMs?: number;
  /** Minimum gap between refetches on an unknown `kid`. Default 30 s. */
  cooldownMs?: number;
  /** Timeout for fetching the key set. Default 3 s. */
  timeoutMs?: number;
  /** The clock expiry is checked against (tests move it). Default: the system clock. */
  now?: () => Date;
}

export type AccessTokenVerifier = (token: string) => Promise<AccessTokenClaims>;

/**
 * Verifies access tokens locally. The key set is fetched once and cached (jose
 * refetches on an unknown `kid`, rate-limited by `cooldownMs`), so verifying a
 * request costs no call to the auth service.
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
    cooldownDuration: options.cooldownMs ?? 30_000,
    timeoutDuration: options.timeoutMs ?? 3_000,
  });
  return async (token) => {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ["ES256"],
        clockTolerance: options.clockToleranceSeconds ?? 30,
        currentDate: options.now?.(),
      }));
    } catch (err) {
      throw mapJoseError(err);
    }
    const claims = accessTokenClaimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new InvalidAccessTokenError("invalid_claims", "The access token lacks required claims; sign in again.");
    }
    return claims.data;
  };
}

function mapJoseError(err: unknown): Error {
  if (err instanceof joseErrors.JWTExpired) {
    return new InvalidAccessTokenError("expired", "Your session has expired; sign in again.");
  }
  if (err instanceof joseErrors.JWKSTimeout) {
    return new ExternalServiceError({
      service: "auth",
      kind: "timeout",
      message: "The auth service did not return its signing keys in time.",
      cause: err,
    });
  }
  if (err instanceof joseErrors.JWKSInvalid || err instanceof joseErrors.JOSENotSupported) {
    return new ExternalServiceError({
      service: "auth",
      kind: "invalid_response",
      message: "The auth service published an unusable key set.",
      cause: err,
    });
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    return new InvalidAccessTokenError("invalid_claims", `The access token is not valid here (${err.claim}).`);
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey) {
    return new InvalidAccessTokenError("invalid_signature", "The access token signature is invalid; sign in again.");
  }
  if (err instanceof joseErrors.JOSEError && err.code === "ERR_JOSE_GENERIC") {
    // jose's generic error here means the key-set endpoint answered non-200 or non-JSON.
    return new ExternalServiceError({
      service: "auth",
      kind: "unavailable",
      message: "The auth service did not serve its signing keys; is it healthy?",
      cause: err,
    });
  }
  if (err instanceof joseErrors.JOSEError) {
    return new InvalidAccessTokenError("malformed", "The access token is malformed; sign in again.");
  }
  // Anything else is the key-set fetch failing (connection refused, non-200).
  return new ExternalServiceError({
    service: "auth",
    kind: "unavailable",
    message: "Cannot fetch the auth service's signing keys; is it running?",
    cause: err,
  });
}
