import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import type { ProcessorConfig } from "./config";

export interface WorkerHandle {
  /** Stops taking new messages, finishes in-flight ones, closes connections. */
  stop(): Promise<void>;
}

export interface WorkerDeps {
  config: ProcessorConfig;
  db: Db;
  logger: Logger;
}

/** Worker mode: the long-running consumers. */
export async function startWorker({ logger }: WorkerDeps): Promise<WorkerHandle> {
  logger.info("worker started");
  return { stop: async () => logger.info("worker stopped") };
}
