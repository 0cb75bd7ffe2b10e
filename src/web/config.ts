import { z } from "zod";
import { logLevel, otlpEndpoint, parseEnv } from "~/lib/env";

const schema = z.object({
  /** Where the web server reaches the API service (in-cluster: http://api-service:4000). */
  API_URL: z.string().url().default("http://127.0.0.1:4000"),
  /** The currency the catalog's price filter is typed in (the shop's default currency). */
  SHOP_CURRENCY: z.string().length(3).toUpperCase().default("EUR"),
  /** Locale for prices and dates. */
  SHOP_LOCALE: z.string().min(2).max(35).default("en-US"),
  LOG_LEVEL: logLevel,
  /**
   * Port of the web's own /metrics (and /healthz) listener, apart from the pages' port so the
   * Ingress never exposes it; 0 picks a free port (several web servers on one machine).
   */
  WEB_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
  /** Largest photo the upload route forwards to the API (keep equal to the API's PHOTO_MAX_BYTES). */
  PHOTO_MAX_BYTES: z.coerce.number().int().min(100_000).max(100_000_000).default(20_000_000),
});

export type WebConfig = z.infer<typeof schema>;
export const webConfigSchema = schema;

let cached: WebConfig | undefined;

/** Read at request time, not at build time: one image runs in every environment. */
export function webConfig(env: NodeJS.ProcessEnv = process.env): WebConfig {
  cached ??= parseEnv(schema, env, "web");
  return cached;
}
