"use client";

import { useEffect } from "react";
import { trpc } from "~/web/trpc/react";
import { formatDateTime, formatDay, formatDuration, type TimeFormat } from "../datetime";
import { humanize } from "../words";
import type { Inputs, Outputs } from "../types";

type Runs = Outputs["admin"]["jobs"]["list"];
type Run = Runs["items"][number];
type ListInput = Inputs["admin"]["jobs"]["list"];
type Catalog = Outputs["admin"]["jobs"]["catalog"];

const TRIGGERS: Record<string, string> = { manual: "Run now", cron: "Schedule", job: "Command line", worker: "Worker" };

/** A run's parameters as a person reads them: "Shop: Tea House · First day: Dec 1, 2026". */
function describeParams(params: unknown, job: Catalog[number] | undefined, shops: Record<string, string>, locale: string): string {
  if (params === null || typeof params !== "object" || Array.isArray(params)) return "";
  // In the job's own order (the database keeps JSON keys in an order of its own).
  const rank = (name: string) => {
    const i = job?.params.findIndex((p) => p.name === name) ?? -1;
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  return Object.entries(params as Record<string, unknown>)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([name, raw]) => {
      const info = job?.params.find((p) => p.name === name);
      const value = String(raw);
      const text =
        info?.kind === "seller" ? (shops[value] ?? "a shop no longer listed") : info?.kind === "day" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? formatDay(value, locale) : value;
      return `${info?.label ?? humanize(name)}: ${text}`;
    })
    .join(" · ");
}

/** An estimate, rounded as one: "40 s", "3 min", "2 h 15 min". */
function timeLeft(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 90) return `${s} s`;
  const minutes = Math.round(s / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** How far a running job has got: a bar, the units done of the total, and the time left at its rate so far. */
function JobProgress({ run, locale }: { run: Run; locale: string }) {
  const total = run.total ?? 0;
  const done = Math.min(run.processed ?? 0, total);
  const percent = total > 0 ? Math.floor((done * 100) / total) : 0;
  const count = new Intl.NumberFormat(locale);
  return (
    <div className="job-progress">
      <progress value={done} max={Math.max(total, 1)} aria-label={`${run.name}: ${percent}% done`} />
      <div className="small muted">
        {count.format(done)} of {count.format(total)} {run.unit ?? ""} · {percent}%
        {run.secondsLeft != null ? ` · about ${timeLeft(run.secondsLeft)} left` : ""}
      </div>
    </div>
  );
}

/**
 * Job runs, first painted on the server, then refreshed every few seconds while any run is
 * queued or running, so a "Run now" can be watched to its end without reloading.
 */
export function LiveJobRuns({ input, initial, time, catalog, shops }: { input: ListInput; initial: Runs; time: TimeFormat; catalog: Catalog; shops: Record<string, string> }) {
  const query = trpc.admin.jobs.list.useQuery(input, {
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.items.some((r) => r.status === "queued" || r.status === "running") ? 2_000 : 15_000),
  });
  // A server re-render (after "Run now") brings fresher rows than the cache: adopt them.
  const utils = trpc.useUtils();
  useEffect(() => {
    utils.admin.jobs.list.setData(input, initial);
  }, [utils, input, initial]);
  const runs = query.data.items;
  if (runs.length === 0) return <div className="empty"><p>No runs yet.</p></div>;
  return (
    <div className="table-wrap">
      <table data-testid="job-runs">
        <caption className="visually-hidden">Job runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Status</th>
            <th scope="col">Started by</th>
            <th scope="col">Started</th>
            <th scope="col" className="num">Duration</th>
            <th scope="col" className="num">Rows</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody aria-live="polite">
          {runs.map((run) => {
            const job = catalog.find((j) => j.name === run.name);
            const params = describeParams(run.params, job, shops, time.locale);
            return (
              <tr key={run.id}>
                <td>
                  <strong>{job?.title ?? run.name}</strong>
                  {params ? <div className="small muted">{params}</div> : null}
                </td>
                <td>
                  <span className={`badge ${run.status}`}>{humanize(run.status)}</span>
                  {run.status === "running" && run.total != null ? <JobProgress run={run} locale={time.locale} /> : null}
                </td>
                <td>{TRIGGERS[run.trigger] ?? humanize(run.trigger)}</td>
                <td>{formatDateTime(run.startedAt, time)}</td>
                <td className="num">{formatDuration(run.durationMs)}</td>
                <td className="num">{run.rows ?? "—"}</td>
                <td className="small" style={{ maxWidth: "22rem", color: run.error ? "var(--danger)" : undefined }}>
                  {run.error ?? ""}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
