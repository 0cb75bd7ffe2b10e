import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import { findJob } from "../jobs/index";
import { JobParamsError, runJob } from "../jobs/run-job";
import type { JobDefinition } from "../jobs/types";

/** How often the worker looks for runs requested from the operations page. */
export const QUEUED_JOBS_POLL_MS = 5_000;

export interface QueuedJobsDeps {
  db: Db;
  /** The replica the jobs may read finished periods from; `db` when absent. */
  readDb?: Db;
  logger: Logger;
  now?: () => Date;
  signal?: AbortSignal;
  /** Job lookup; the registry by default (tests pass their own). */
  find?: (name: string) => JobDefinition | undefined;
}

interface ClaimedRun {
  id: string;
  name: string;
  params: unknown;
  requestedBy: string | null;
}

/**
 * Runs the jobs an admin queued (`admin.jobs.trigger` inserts a JobRun in `queued`), oldest
 * first, until none is left; returns how many it took. Each run is claimed with
 * FOR UPDATE SKIP LOCKED, so several workers never run the same request twice. A request the
 * processor cannot run (unknown job, bad parameters) is marked failed with the reason.
 */
export async function runQueuedJobs(deps: QueuedJobsDeps): Promise<number> {
  const now = deps.now ?? (() => new Date());
  const find = deps.find ?? findJob;
  let taken = 0;
  while (!deps.signal?.aborted) {
    const claimed = await deps.db.$queryRaw<ClaimedRun[]>`
      UPDATE "JobRun" SET status = 'running', "startedAt" = ${now()}
      WHERE id = (SELECT id FROM "JobRun" WHERE status = 'queued' ORDER BY "startedAt", id FOR UPDATE SKIP LOCKED LIMIT 1)
      RETURNING id, name, params, "requestedBy"`;
    const run = claimed[0];
    if (!run) break;
    taken++;
    const job = find(run.name);
    const fail = (error: string) =>
      deps.db.jobRun.update({ where: { id: run.id }, data: { status: "failed", finishedAt: now(), durationMs: 0, error }, select: { id: true } });
    if (!job) {
      await fail(`Unknown job "${run.name}": this processor does not have it`);
      continue;
    }
    try {
      await runJob(job, run.params ?? {}, {
        db: deps.db,
        ...(deps.readDb ? { readDb: deps.readDb } : {}),
        logger: deps.logger,
        trigger: "manual",
        runId: run.id,
        now,
        ...(run.requestedBy ? { requestedBy: run.requestedBy } : {}),
        ...(deps.signal ? { signal: deps.signal } : {}),
      });
    } catch (error) {
      // runJob records a job's own failure; only a rejection before it started is left to us.
      if (error instanceof JobParamsError) await fail(error.message);
    }
  }
  return taken;
}
