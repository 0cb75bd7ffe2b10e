"use client";

import { useEffect } from "react";
import { trpc } from "~/web/trpc/react";
import type { Inputs, Outputs } from "../types";

type Runs = Outputs["admin"]["jobs"]["list"];
type Run = Runs["items"][number];
type ListInput = Inputs["admin"]["jobs"]["list"];

function duration(ms: number | null): string {
  if (ms == null) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
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
export function LiveJobRuns({ input, initial, locale }: { input: ListInput; initial: Runs; locale: string }) {
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
  const when = (d: Date | string) => new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "medium", timeZone: "UTC" }).format(new Date(d));
  if (runs.length === 0) return <div className="empty"><p>No runs yet.</p></div>;
  return (
    <div className="table-wrap">
      <table data-testid="job-runs">
        <caption className="visually-hidden">Job runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Started (UTC)</th>
            <th scope="col" className="num">Duration</th>
            <th scope="col" className="num">Rows</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody aria-live="polite">
          {runs.map((run) => (
            <tr key={run.id}>
              <td>
                <strong>{run.name}</strong>
                {run.params && typeof run.params === "object" && Object.keys(run.params).length > 0 ? (
                  <div className="small muted">{Object.entries(run.params as Record<string, unknown>).map(([k, v]) => `--${k} ${String(v)}`).join(" ")}</div>
                ) : null}
              </td>
              <td>
                <span className={`badge ${run.status}`}>{run.status}</span>
                {run.status === "running" && run.total != null ? <JobProgress run={run} locale={locale} /> : null}
              </td>
              <td>{run.trigger}</td>
              <td>{when(run.startedAt)}</td>
              <td className="num">{duration(run.durationMs)}</td>
              <td className="num">{run.rows ?? "—"}</td>
              <td className="small" style={{ maxWidth: "22rem", color: run.error ? "var(--danger)" : undefined }}>
                {run.error ?? ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
