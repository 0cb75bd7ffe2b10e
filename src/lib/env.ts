import { z } from "zod";

/**
 * Parses a process's environment against its schema and fails fast with one line per bad
 * variable, naming it and the problem. Each process has exactly one config module that calls this.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, service: string): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(env)"}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration for ${service}:\n${lines.join("\n")}`);
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Environment flags arrive as strings: "true"/"1" are on, "false"/"0"/"" are off. */
export const booleanFlag = z
  .enum(["true", "false", "1", "0", ""])
  .transform((v) => v === "true" || v === "1");

export const port = z.coerce.number().int().min(1).max(65535);

export const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");

export const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgres:// or postgresql:// URL");

/**
 * OTEL_EXPORTER_OTLP_ENDPOINT, the OpenTelemetry standard variable: the OTLP/HTTP collector traces
 * are sent to. Unset or empty: tracing is off.
 */
export const otlpEndpoint = z
  .union([z.literal(""), z.string().url().refine((v) => /^https?:\/\//.test(v), "must be an http:// or https:// URL")])
  .default("");
