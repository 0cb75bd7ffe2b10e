import { z } from "zod";
import { logLevel, parseEnv, port, postgresUrl } from "~/lib/env";

const schema = z.object({
  HOST: z.string().min(1).default("0.0.0.0"),
  PORT: port.default(4000),
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  LOG_LEVEL: logLevel,
  /** How long in-flight requests may take to finish after SIGTERM before the process exits anyway. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /** Largest request body accepted, in bytes; larger bodies get 413. */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_000_000).default(1_000_000),
});

export type ApiConfig = z.infer<typeof schema>;
export const apiConfigSchema = schema;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseEnv(schema, env, "api");
}
