import { createDb } from "~/lib/db";
import { ConfigError } from "~/lib/env";
import { createLogger } from "~/lib/logger";
import { createMetricsRegistry } from "~/lib/metrics";
import { startTracing } from "~/lib/tracing";
import { loadApiConfig, type ApiConfig } from "./config";
import { createApiDeps } from "./deps";
import { createApiServer } from "./http/server";
import { storageFromConfig } from "~/core/storage";

function loadConfigOrExit(): ApiConfig {
  try {
    return loadApiConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}

const config = loadConfigOrExit();
const logger = createLogger("api", config.LOG_LEVEL);
const tracing = startTracing({ service: "api", endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const db = createDb(config.DATABASE_URL, { maxConnections: config.DATABASE_POOL_MAX });
const readDb = config.DATABASE_READ_URL ? createDb(config.DATABASE_READ_URL, { maxConnections: config.DATABASE_POOL_MAX }) : undefined;
const registry = createMetricsRegistry("api");

const deps = createApiDeps({
  db,
  ...(readDb ? { readDb } : {}),
  logger,
  auth: {
    url: config.AUTH_SERVICE_URL,
    serviceToken: config.AUTH_SERVICE_TOKEN,
    issuer: config.AUTH_JWT_ISSUER,
    audience: config.AUTH_JWT_AUDIENCE,
    timeoutMs: config.AUTH_TIMEOUT_MS,
    revocationRefreshMs: config.AUTH_REVOCATION_REFRESH_MS,
  },
  inventory: { url: config.INVENTORY_SERVICE_URL, serviceToken: config.INVENTORY_SERVICE_TOKEN, timeoutMs: config.INVENTORY_TIMEOUT_MS },
  availabilityCacheMs: config.AVAILABILITY_CACHE_MS,
  storage: storageFromConfig(config),
  photoLimits: { maxBytes: config.PHOTO_MAX_BYTES, maxPixels: config.PHOTO_MAX_PIXELS },
});

const api = createApiServer({
  deps: { ...deps, operations: { config, probeUrls: { payment: config.PAYMENT_GATEWAY_URL, carrier: config.CARRIER_URL } } },
  registry,
  maxBodyBytes: config.MAX_BODY_BYTES,
  authRateLimits: { trustForwardedFor: config.TRUST_FORWARDED_FOR },
  carrierWebhookSecret: config.CARRIER_WEBHOOK_SECRET,
});

api.server.listen(config.PORT, config.HOST, () => {
  logger.info({ host: config.HOST, port: config.PORT }, "api listening");
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down: no new connections, finishing in-flight requests");
  await api.shutdown(config.SHUTDOWN_GRACE_MS, config.SHUTDOWN_DRAIN_MS);
  await Promise.all([db.$disconnect(), readDb?.$disconnect()]);
  await tracing?.shutdown();
  logger.info("stopped");
  process.exit(0);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
