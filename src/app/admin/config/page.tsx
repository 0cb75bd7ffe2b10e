import type { Metadata } from "next";
import { api } from "~/web/trpc/server";
import { AdminNav } from "~/web/admin-nav";
import { EmptyState } from "~/web/components/states";
import { requireViewer } from "~/web/viewer";

export const metadata: Metadata = { title: "Configuration" };
export const dynamic = "force-dynamic";

export default async function ConfigPage() {
  await requireViewer("/admin/config", "admin");
  const config = await (await api()).admin.config.query();
  const entries = Object.entries(config);
  return (
    <main id="main">
      <AdminNav current="/admin/config" />
      <h1>Effective configuration</h1>
      <p className="muted">What the API runs with, from its environment. Secrets and credentials inside URLs are masked by the API before they leave it.</p>
      {entries.length === 0 ? (
        <EmptyState>The API did not report its configuration.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Variable</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {entries.map(([key, value]) => (
                <tr key={key}>
                  <th scope="row">
                    <code>{key}</code>
                  </th>
                  <td>
                    <code style={{ wordBreak: "break-all" }}>{value === undefined || value === null || value === "" ? "—" : typeof value === "string" ? value : JSON.stringify(value)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}
