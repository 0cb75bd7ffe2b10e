import { z } from "zod";
import { checkStorageEnv, logLevel, otlpEndpoint, parseEnv, port, postgresUrl, storageEnv } from "~/lib/env";

const httpUrl = z.string().url().refine((v) => /^https?:\/\//.test(v), "must be an http:// or https:// URL");
const secret = z.string().min(8, "must be at least 8 characters");
const timeoutMs = z.coerce.number().int().min(100).max(60_000);

const schema = z.object({
  HOST: z.string().min(1).default("0.0.0.0"),
  PORT: port.default(4000),
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * A streaming replica of DATABASE_URL for reads that may lag a moment (catalog, seller stats and
   * reports), with a pool of its own of DATABASE_POOL_MAX; unset (or blank): those read the primary too.
   */
  DATABASE_READ_URL: z.preprocess((v) => (v === "" ? undefined : v), postgresUrl.optional()),
  LOG_LEVEL: logLevel,
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
  /** How long in-flight requests may take to finish after SIGTERM before the process exits anyway. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /** After SIGTERM, how long to keep accepting (readiness failing) before closing the listener: the load balancer's reaction time. */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** Largest request body accepted, in bytes; larger bodies get 413. */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_000_000).default(1_000_000),
  /** Behind a proxy that sets X-Forwarded-For (ingress, web): rate limits key on its first entry, not the peer address. */
  TRUST_FORWARDED_FOR: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),

  /** Service 1 (auth): accounts, sessions, the JWKS access tokens are verified against. */
  AUTH_SERVICE_URL: httpUrl,
  /** Sent as X-Service-Token on the auth service's service-to-service endpoints. */
  AUTH_SERVICE_TOKEN: secret,
  /** Must match the `iss` and `aud` claims the auth service signs into access tokens. */
  AUTH_JWT_ISSUER: z.string().min(1).default("lavka-auth"),
  AUTH_JWT_AUDIENCE: z.string().min(1).default("lavka-api"),
  AUTH_TIMEOUT_MS: timeoutMs.default(3_000),
  /** How stale the local copy of revoked sessions may get: a signed-out token stops working within this. */
  AUTH_REVOCATION_REFRESH_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),

  /** Service 2 (inventory): stock per SKU and checkout reservations. */
  INVENTORY_SERVICE_URL: httpUrl,
  INVENTORY_SERVICE_TOKEN: secret,
  INVENTORY_TIMEOUT_MS: timeoutMs.default(3_000),
  /** How long product availability read from the inventory service is reused. */
  AVAILABILITY_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),

  /** HMAC-SHA256 key the delivery carrier signs its status callbacks with; unset disables POST /webhooks/carrier. */
  CARRIER_WEBHOOK_SECRET: z.union([z.literal(""), z.string().min(16, "must be at least 16 characters")]).default(""),
  /** Payment gateway and carrier base URLs: the API only probes them for admin.health (the worker calls them). */
  PAYMENT_GATEWAY_URL: httpUrl.optional(),
  CARRIER_URL: httpUrl.optional(),

  /** Photo uploads: larger files get 413; more pixels than this (width x height) are refused as too large to decode. */
  PHOTO_MAX_BYTES: z.coerce.number().int().min(100_000).max(100_000_000).default(20_000_000),
  PHOTO_MAX_PIXELS: z.coerce.number().int().min(1_000_000).max(268_000_000).default(50_000_000),
  /** Where photos are stored and served from. */
  ...storageEnv,
}).superRefine(checkStorageEnv);

export type ApiConfig = z.infer<typeof schema>;
export const apiConfigSchema = schema;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseEnv(schema, env, "api");
}
