import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { AdminNav } from "~/web/admin-nav";
import { formatDuration } from "~/web/datetime";
import { viewerTime } from "~/web/viewer-time";
import { humanize } from "~/web/words";
import { requireViewer } from "~/web/viewer";

export const metadata: Metadata = { title: "Operations" };
export const dynamic = "force-dynamic";

export default async function OperationsPage() {
  await requireViewer("/admin", "admin");
  const client = await api();
  const time = await viewerTime();
  const [health, runs, failed, letters, catalog] = await Promise.all([
    client.admin.health.query(),
    client.admin.jobs.list.query({ limit: 8 }),
    client.admin.jobs.list.query({ limit: 5, status: "failed" }),
    client.deadLetters.list.query({ limit: 5 }),
    client.admin.jobs.catalog.query(),
  ]);
  const title = (name: string) => catalog.find((j) => j.name === name)?.title ?? humanize(name);
  return (
    <main id="main">
      <AdminNav current="/admin" />
      <h1>Operations</h1>
      <dl className="stats">
        <div className="stat">
          <dt>System</dt>
          <dd>
            <span className={`badge ${health.status}`}>{humanize(health.status)}</span>
          </dd>
        </div>
        <div className="stat">
          <dt>Dependencies up</dt>
          <dd>
            {health.dependencies.filter((d) => d.status === "up").length} / {health.dependencies.filter((d) => d.status !== "not_configured").length}
          </dd>
        </div>
        <div className="stat">
          <dt>Recent failed runs</dt>
          <dd>{failed.items.length}</dd>
        </div>
        <div className="stat">
          <dt>Dead letters waiting</dt>
          <dd>{letters.items.length}{letters.nextCursor ? "+" : ""}</dd>
        </div>
      </dl>
      <div className="panels">
        <section className="panel" aria-labelledby="deps-title">
          <h2 id="deps-title">Dependencies</h2>
          <ul className="cart-lines">
            {health.dependencies.map((d) => (
              <li key={d.name}>
                <span className={`badge ${d.status}`}>{humanize(d.status)}</span> {humanize(d.name)}
                {d.latencyMs !== null ? <span className="small muted"> · {d.latencyMs} ms</span> : null}
              </li>
            ))}
          </ul>
          <Link href="/admin/health">Details</Link>
        </section>
        <section className="panel" aria-labelledby="runs-title">
          <h2 id="runs-title">Latest job runs</h2>
          {runs.items.length === 0 ? (
            <p className="muted">No runs yet.</p>
          ) : (
            <ul className="cart-lines">
              {runs.items.map((r) => (
                <li key={r.id}>
                  <span className={`badge ${r.status}`}>{humanize(r.status)}</span> <strong>{title(r.name)}</strong>{" "}
                  <span className="small muted">
                    {time.dateTime(r.startedAt)} · {formatDuration(r.durationMs)}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <Link href="/admin/jobs">All runs and “run now”</Link>
        </section>
      </div>
    </main>
  );
}
