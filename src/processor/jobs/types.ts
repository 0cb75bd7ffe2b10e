import type { z } from "zod";
import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";

export interface JobContext {
  db: Db;
  /**
   * A streaming replica (DATABASE_READ_URL), or the primary when there is none: for reads of
   * periods already over (sales reports), never for what the job itself just wrote.
   */
  readDb: Db;
  logger: Logger;
  /** Injected so tests can pin "now". */
  now: () => Date;
  /** Aborted on SIGTERM: long jobs check it between batches and stop cleanly. */
  signal: AbortSignal;
  /**
   * How far the job has got: `processed` of `total` units (days, sellers, rows). Recorded in its
   * JobRun for the operations page's progress bar; call it as often as is natural (writes are
   * spaced out).
   */
  progress(processed: number, total: number, unit: string): Promise<void>;
}

export interface JobResult {
  /** Rows written or touched, recorded in the job run for the operations page. */
  rows: number;
  /** Anything worth showing next to the run (kept small). */
  summary?: Record<string, unknown>;
}

export interface JobDefinition<P extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  /** Parameters from the command line (`--key value`) or from the operations page. */
  params: P;
  /** Cron expression (UTC) for the processor's cron mode and the Kubernetes CronJob, if scheduled. */
  schedule?: string;
  run(ctx: JobContext, params: z.infer<P>): Promise<JobResult>;
}

export function defineJob<P extends z.ZodType>(job: JobDefinition<P>): JobDefinition<P> {
  return job;
}
