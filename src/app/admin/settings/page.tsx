import type { Metadata } from "next";
import { api } from "~/web/trpc/server";
import { AdminNav } from "~/web/admin-nav";
import { ActionForm, Field, SubmitButton } from "~/web/components/form";
import { EmptyState } from "~/web/components/states";
import { viewerTime } from "~/web/viewer-time";
import { aboutSetting } from "~/web/setting-labels";
import { requireViewer } from "~/web/viewer";
import { updateSettingAction } from "../actions";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  await requireViewer("/admin/settings", "admin");
  const client = await api();
  const time = await viewerTime();
  const [settings, audit] = await Promise.all([client.admin.settings.list.query(), client.admin.settings.audit.query({ limit: 20 })]);
  return (
    <main id="main">
      <AdminNav current="/admin/settings" />
      <h1>Runtime settings</h1>
      <p className="muted">Changes apply without a redeploy and are recorded below with who made them.</p>
      <div className="panels">
        {settings.map((s) => {
          const about = aboutSetting(s.key);
          const kind = typeof s.defaultValue === "number" ? "number" : "string";
          return (
            <section key={s.key} className="panel">
              <ActionForm action={updateSettingAction} label={about.label} className="form">
                <input type="hidden" name="key" value={s.key} />
                <input type="hidden" name="kind" value={kind} />
                <Field
                  name="value"
                  label={about.label}
                  type={kind === "number" ? "number" : "text"}
                  defaultValue={String(s.value)}
                  hint={`${about.hint} Default: ${String(s.defaultValue)}.`}
                  required
                />
                <p className="small muted" style={{ margin: 0 }}>
                  {s.isSet && s.updatedAt ? `Last changed ${time.dateTime(s.updatedAt)}` : "Using the default."}
                </p>
                <div>
                  <SubmitButton className="button small" pendingLabel="Saving…">
                    Save
                  </SubmitButton>
                </div>
              </ActionForm>
            </section>
          );
        })}
      </div>
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">Recent changes</h2>
        {audit.items.length === 0 ? (
          <EmptyState>No setting has been changed yet.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table data-testid="settings-audit">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Setting</th>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {audit.items.map((a) => (
                  <tr key={a.id}>
                    <td>{time.dateTime(a.changedAt)}</td>
                    <td>{aboutSetting(a.key).label}</td>
                    <td>{a.oldValue === null || a.oldValue === undefined ? "the default" : String(a.oldValue)}</td>
                    <td>{String(a.newValue)}</td>
                    <td>{a.user.email}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </main>
  );
}
