import { DomainError } from "~/core/errors";
import { newestFirst, type Page } from "~/core/pagination";
import type { Db, Prisma } from "~/lib/db";
import { findCatalogJob, jobCatalog } from "~/core/jobs/catalog";
import type { JobRunStatus, JobTrigger } from "~/generated/prisma/enums";
import type { Actor } from "../actor";

export const jobRunSelect = {
  id: true,
  name: true,
  trigger: true,
  status: true,
  params: true,
  requestedBy: true,
  startedAt: true,
  finishedAt: true,
  durationMs: true,
  rows: true,
  error: true,
  processed: true,
  total: true,
  unit: true,
} satisfies Prisma.JobRunSelect;

export type JobRunView = Prisma.JobRunGetPayload<{ select: typeof jobRunSelect }>;

/** A run as the operations page lists it: a running one with progress also says how long is left. */
export type JobRunListItem = JobRunView & { secondsLeft: number | null };

/**
 * Time left of a running job at its rate so far (elapsed per unit done, times the units left);
 * null until it has done some, or when it is not running.
 */
export function secondsLeft(run: Pick<JobRunView, "status" | "startedAt" | "processed" | "total">, now: Date): number | null {
  if (run.status !== "running" || !run.processed || run.total == null || run.processed > run.total) return null;
  const elapsedMs = Math.max(0, now.getTime() - run.startedAt.getTime());
  return Math.round((elapsedMs / run.processed) * (run.total - run.processed) / 1000);
}

const byStartedAt = newestFirst("startedAt");

export interface ListJobRunsInput {
  limit: number;
  cursor?: string | null | undefined;
  name?: string | undefined;
  status?: JobRunStatus | undefined;
  trigger?: JobTrigger | undefined;
}

/** Job runs, newest first (a queued run's startedAt is when it was requested). */
export async function listJobRuns(db: Db, input: ListJobRunsInput, now: Date): Promise<Page<JobRunListItem>> {
  const after = byStartedAt.after(input.cursor);
  const rows = await db.jobRun.findMany({
    where: {
      ...(input.name ? { name: input.name } : {}),
      ...(input.status ? { status: input.status } : {}),
      ...(input.trigger ? { trigger: input.trigger } : {}),
      ...after,
    },
    orderBy: byStartedAt.orderBy(),
    take: input.limit + 1,
    select: jobRunSelect,
  });
  const page = byStartedAt.page(rows, input.limit);
  return { ...page, items: page.items.map((run) => ({ ...run, secondsLeft: secondsLeft(run, now) })) };
}

export function listJobCatalog() {
  return jobCatalog;
}

/**
 * Queues a run for the processor (the API never runs processor code): a JobRun in `queued` that
 * the worker claims and runs. Names and parameter names are checked against the catalog here,
 * values by the job itself when it runs (a bad value fails the run with the job's own message).
 * A second identical request while the first is still queued returns that run, not a duplicate.
 */
export async function triggerJob(
  db: Db,
  actor: Actor,
  input: { name: string; params: Record<string, string> },
  now: Date,
): Promise<{ run: JobRunView; alreadyQueued: boolean }> {
  const job = findCatalogJob(input.name);
  if (!job) {
    throw new DomainError("invalid", `unknown job "${input.name}"; known jobs: ${jobCatalog.map((j) => j.name).join(", ")}`, { field: "name" });
  }
  const unknown = Object.keys(input.params).filter((key) => !job.params.some((p) => p.name === key));
  if (unknown.length > 0) {
    const accepted = job.params.map((p) => p.name).join(", ") || "none";
    throw new DomainError("invalid", `${job.name} takes no such parameter (accepted: ${accepted})`, { field: `params.${unknown[0]}` });
  }
  const missing = job.params.find((p) => p.required && !input.params[p.name]);
  if (missing) throw new DomainError("invalid", "required", { field: `params.${missing.name}` });

  return db.$transaction(async (tx) => {
    // Serialise triggers of one job so two quick clicks cannot both insert.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`job-trigger:${job.name}`}))`;
    const queued = await tx.jobRun.findMany({ where: { name: job.name, status: "queued" }, select: jobRunSelect });
    const same = queued.find((run) => sameParams(run.params, input.params));
    if (same) return { run: same, alreadyQueued: true };
    const run = await tx.jobRun.create({
      data: { name: job.name, trigger: "manual", status: "queued", params: input.params, requestedBy: actor.id, startedAt: now },
      select: jobRunSelect,
    });
    return { run, alreadyQueued: false };
  });
}

function sameParams(stored: Prisma.JsonValue, params: Record<string, string>): boolean {
  if (stored === null || typeof stored !== "object" || Array.isArray(stored)) return Object.keys(params).length === 0;
  const a = Object.entries(stored).sort(([x], [y]) => x.localeCompare(y));
  const b = Object.entries(params).sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify(a) === JSON.stringify(b);
}
