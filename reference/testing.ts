import { createLogger } from "../src/lib/logger";
import type { ClientLogger } from "../src/core/integrations/http";

/** Quiet logger for clients under test; LOG_LEVEL=debug shows the traffic. */
export function testLogger(name: string): ClientLogger {
  // Tests may read the environment; the clients themselves never do.
  return createLogger(name, process.env.LOG_LEVEL ?? "silent");
}

export const SERVICE_TOKEN = "test-service-token-0123456789";
