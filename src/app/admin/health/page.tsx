import type { Metadata } from "next";
import { api } from "~/web/trpc/server";
import { AdminNav } from "~/web/admin-nav";
import { viewerTime } from "~/web/viewer-time";
import { humanize } from "~/web/words";
import { requireViewer } from "~/web/viewer";

export const metadata: Metadata = { title: "Health" };
export const dynamic = "force-dynamic";

export default async function HealthPage() {
  await requireViewer("/admin/health", "admin");
  const health = await (await api()).admin.health.query();
  return (
    <main id="main">
      <AdminNav current="/admin/health" />
      <div className="page-head">
        <h1>Health</h1>
        <span className={`badge ${health.status}`} data-testid="overall-health">
          {humanize(health.status)}
        </span>
      </div>
      <p className="small muted">
        Checked {(await viewerTime()).dateTime(health.checkedAt)} by the API, each dependency within two seconds. <a href="/admin/health">Check again</a>
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Dependency</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">Latency</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {health.dependencies.map((d) => (
              <tr key={d.name}>
                <th scope="row">{humanize(d.name)}</th>
                <td>
                  <span className={`badge ${d.status}`}>{humanize(d.status)}</span>
                </td>
                <td className="num">{d.latencyMs === null ? "—" : `${d.latencyMs} ms`}</td>
                <td className="small">{d.detail ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </main>
  );
}
