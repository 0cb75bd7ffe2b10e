import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { AdminNav } from "~/web/admin-nav";
import { ActionForm, Field, SubmitButton } from "~/web/components/form";
import { FilterSelect } from "~/web/components/filter-select";
import { EmptyState, ErrorNotice } from "~/web/components/states";
import { withFilterProblem } from "~/web/forms";
import { viewerTime } from "~/web/viewer-time";
import { requireViewer } from "~/web/viewer";
import { setRoleAction } from "../actions";

export const metadata: Metadata = { title: "Users" };
export const dynamic = "force-dynamic";

const ROLES = ["buyer", "seller", "admin"] as const;
type Sp = { search?: string; role?: string; cursor?: string };

export default async function UsersPage({ searchParams }: { searchParams: Promise<Sp> }) {
  const viewer = await requireViewer("/admin/users", "admin");
  const time = await viewerTime();
  const sp = await searchParams;
  const search = sp.search?.trim().slice(0, 200) || undefined;
  const role = ROLES.find((r) => r === sp.role);
  const cursor = sp.cursor?.slice(0, 512);
  const { result: page, problem: filterProblem } = await withFilterProblem((await api()).admin.users.list.query({ limit: 25, cursor: cursor ?? null, search, role }),
    { items: [], nextCursor: null },
    { search: "Email, name or shop", role: "Role", cursor: "Page" },
  );
  const href = (c?: string) => {
    const params = new URLSearchParams();
    if (search) params.set("search", search);
    if (role) params.set("role", role);
    if (c) params.set("cursor", c);
    const s = params.toString();
    return s ? `/admin/users?${s}` : "/admin/users";
  };
  return (
    <main id="main">
      <AdminNav current="/admin/users" />
      <h1>Users and roles</h1>
      <form method="get" action="/admin/users" className="inline-form" aria-label="Find users" style={{ marginBottom: "1rem" }}>
        <div className="field">
          <label htmlFor="u-search">Email, name or shop</label>
          <input id="u-search" type="search" name="search" defaultValue={search} maxLength={200} />
        </div>
        <FilterSelect id="u-role" name="role" label="Role" value={role} options={ROLES.map((r) => ({ value: r, label: r }))} />
        <button type="submit" className="secondary">
          Find
        </button>
      </form>
      {filterProblem ? <ErrorNotice>Please check the search. {filterProblem}</ErrorNotice> : null}
      {page.items.length === 0 ? (
        <EmptyState>No users match.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Shop</th>
                <th scope="col">Since</th>
                <th scope="col">Role</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((u) => (
                <tr key={u.id}>
                  <td>
                    <strong>{u.displayName}</strong>
                    <div className="small muted">{u.email}</div>
                  </td>
                  <td>{u.seller?.shopName ?? "—"}</td>
                  <td>{time.date(u.createdAt)}</td>
                  <td>
                    {u.id === viewer.id ? (
                      <span className="badge">{u.role} (you)</span>
                    ) : (
                      <ActionForm action={setRoleAction} className="inline-form" label={`Role of ${u.email}`}>
                        <input type="hidden" name="userId" value={u.id} />
                        <Field name="role" label="Role" type="select" defaultValue={u.role} options={ROLES.map((r) => ({ value: r, label: r }))} />
                        <SubmitButton className="button secondary small" pendingLabel="Saving…">
                          Change
                        </SubmitButton>
                      </ActionForm>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        {cursor ? <Link href={href()}>← Newest</Link> : <span />}
        {page.nextCursor ? (
          <Link className="button" href={href(page.nextCursor)}>
            More →
          </Link>
        ) : null}
      </nav>
    </main>
  );
}
