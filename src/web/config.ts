import { z } from "zod";
import { parseEnv } from "~/lib/env";

const schema = z.object({
  /** Where the web server reaches the API service (in-cluster: http://api-service:4000). */
  API_URL: z.string().url().default("http://127.0.0.1:4000"),
});

export type WebConfig = z.infer<typeof schema>;
export const webConfigSchema = schema;

let cached: WebConfig | undefined;

/** Read at request time, not at build time: one image runs in every environment. */
export function webConfig(env: NodeJS.ProcessEnv = process.env): WebConfig {
  cached ??= parseEnv(schema, env, "web");
  return cached;
}
