import { z } from "zod";
import { logLevel, parseEnv, port, postgresUrl } from "~/lib/env";

const schema = z.object({
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(5),
  LOG_LEVEL: logLevel,
  /** Port for /healthz, /readyz and /metrics in worker and cron modes. */
  PROCESSOR_HTTP_PORT: port.default(9464),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(15_000),
});

export type ProcessorConfig = z.infer<typeof schema>;
export const processorConfigSchema = schema;

export function loadProcessorConfig(env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  return parseEnv(schema, env, "processor");
}
