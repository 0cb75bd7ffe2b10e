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
/** An empty variable counts as unset (Kubernetes and shells often pass ""). */
export const blankIsUnset = (v: unknown) => (v === "" ? undefined : v);

/**
 * Object storage for uploads (photos), read by the API (stores and serves) and the processor (its
 * sweep deletes what nothing references). The checks across variables are in checkStorageEnv.
 */
export const storageEnv = {
  /** "filesystem": files under STORAGE_DIR, one node only; "s3": an S3-compatible bucket every replica shares. */
  STORAGE_BACKEND: z.enum(["filesystem", "s3"]).default("filesystem"),
  STORAGE_DIR: z.string().min(1).default(".lavka/storage"),
  S3_BUCKET: z.preprocess(blankIsUnset, z.string().min(3).max(63).optional()),
  /** Unset for AWS S3 itself; e.g. http://minio:9000 or https://<account>.r2.cloudflarestorage.com. */
  S3_ENDPOINT: z.preprocess(blankIsUnset, z.string().url().optional()),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_FORCE_PATH_STYLE: booleanFlag.default(false),
  /** Both or neither; neither: the AWS SDK's default chain (web identity, instance profile). */
  S3_ACCESS_KEY_ID: z.preprocess(blankIsUnset, z.string().min(1).optional()),
  S3_SECRET_ACCESS_KEY: z.preprocess(blankIsUnset, z.string().min(1).optional()),
};

type StorageEnv = { STORAGE_BACKEND: string; S3_BUCKET?: string; S3_ACCESS_KEY_ID?: string; S3_SECRET_ACCESS_KEY?: string };

/** The rules across storageEnv's variables, for a config schema's superRefine. */
export function checkStorageEnv(env: StorageEnv, ctx: z.RefinementCtx): void {
  if (env.STORAGE_BACKEND === "s3" && !env.S3_BUCKET) ctx.addIssue({ code: "custom", path: ["S3_BUCKET"], message: "is required when STORAGE_BACKEND is s3" });
  if (!env.S3_ACCESS_KEY_ID !== !env.S3_SECRET_ACCESS_KEY) {
    ctx.addIssue({ code: "custom", path: [env.S3_ACCESS_KEY_ID ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID"], message: "set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither" });
  }
}
