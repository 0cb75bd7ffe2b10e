import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import type { JobDefinition, JobResult } from "./types";

export interface RunJobOptions {
  db: Db;
  /** The replica for the job's reads of finished periods; `db` when absent. */
  readDb?: Db;
  logger: Logger;
  trigger: "cron" | "job" | "manual" | "worker";
  requestedBy?: string;
  now?: () => Date;
  signal?: AbortSignal;
  /** A queued JobRun row (requested from the operations page) to record this run in, instead of a new row. */
  runId?: string;
}

/** Progress is written at most this often (and always at the first and the last unit). */
export const PROGRESS_WRITE_INTERVAL_MS = 1_000;

export class JobParamsError extends Error {
  override name = "JobParamsError";
}

/**
 * Runs one job and records it in JobRun: a row in `running` before the work starts, finished
 * with status, duration, rows and error afterwards, so the operations page sees every run.
 */
export async function runJob(job: JobDefinition, rawParams: unknown, options: RunJobOptions): Promise<JobResult & { runId: string }> {
  const parsed = job.params.safeParse(rawParams ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ");
    throw new JobParamsError(`Invalid parameters for job ${job.name}: ${problems}`);
  }
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const run = options.runId
    ? await options.db.jobRun.update({
        where: { id: options.runId },
        data: { status: "running", params: parsed.data as object, startedAt },
        select: { id: true },
      })
    : await options.db.jobRun.create({
        data: {
          name: job.name,
          trigger: options.trigger,
          params: parsed.data as object,
          requestedBy: options.requestedBy ?? null,
          startedAt,
        },
        select: { id: true },
      });
  const log = options.logger.child({ job: job.name, runId: run.id });
  log.info({ params: parsed.data }, "job started");
  // Spaced out by the process's own clock, not the injectable `now` (tests hold that still).
  let lastWrite = Number.NEGATIVE_INFINITY;
  const progress = async (processed: number, total: number, unit: string) => {
    const at = performance.now();
    const last = processed >= total;
    if (!last && lastWrite !== Number.NEGATIVE_INFINITY && at - lastWrite < PROGRESS_WRITE_INTERVAL_MS) return;
    lastWrite = at;
    const counts = { processed: Math.max(0, Math.round(processed)), total: Math.max(0, Math.round(total)) };
    await options.db.jobRun.update({ where: { id: run.id }, data: { ...counts, unit: unit.slice(0, 40) }, select: { id: true } });
    log.debug({ ...counts, unit }, "job progress");
  };
  try {
    const result = await job.run(
      { db: options.db, readDb: options.readDb ?? options.db, logger: log, now, signal: options.signal ?? new AbortController().signal, progress },
      parsed.data,
    );
    const finishedAt = now();
    await options.db.jobRun.update({
      where: { id: run.id },
      data: {
        status: "succeeded",
        finishedAt,
        durationMs: finishedAt.getTime() - startedAt.getTime(),
        rows: result.rows,
      },
      select: { id: true },
    });
    log.info({ rows: result.rows, durationMs: finishedAt.getTime() - startedAt.getTime() }, "job succeeded");
    return { ...result, runId: run.id };
  } catch (error) {
    const finishedAt = now();
    const message = error instanceof Error ? error.message : String(error);
    await options.db.jobRun.update({
      where: { id: run.id },
      data: { status: "failed", finishedAt, durationMs: finishedAt.getTime() - startedAt.getTime(), error: message.slice(0, 4000) },
      select: { id: true },
    });
    log.error({ err: error }, "job failed");
    throw error;
  }
}
