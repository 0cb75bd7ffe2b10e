import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { TRPCProvider } from "~/web/trpc/react";
import { api } from "~/web/trpc/server";
import { AdminNav } from "~/web/admin-nav";
import { ActionForm, Field, SubmitButton } from "~/web/components/form";
import { LiveJobRuns } from "~/web/components/job-runs";
import { viewerTime } from "~/web/viewer-time";
import { humanize } from "~/web/words";
import { requireViewer } from "~/web/viewer";
import { triggerJobAction } from "../actions";

export const metadata: Metadata = { title: "Jobs" };
export const dynamic = "force-dynamic";

type Sp = { name?: string; status?: string; cursor?: string };
const STATUSES = ["queued", "running", "succeeded", "failed"] as const;
/** Shops offered in a job's shop list; more are reached by typing part of the name. */
const SHOP_CHOICES = 200;

export default async function JobsPage({ searchParams }: { searchParams: Promise<Sp> }) {
  await requireViewer("/admin/jobs", "admin");
  const sp = await searchParams;
  const client = await api();
  const time = await viewerTime();
  const catalog = await client.admin.jobs.catalog.query();
  const name = catalog.find((j) => j.name === sp.name)?.name;
  const status = STATUSES.find((s) => s === sp.status);
  const input = { limit: 25, cursor: sp.cursor?.slice(0, 512) ?? null, name, status };
  const runs = await client.admin.jobs.list.query(input);
  // Shop parameters are picked from a list; the runs table names the shops its runs were for.
  const shopParams = new Set(catalog.flatMap((j) => j.params.filter((p) => p.kind === "seller").map((p) => `${j.name}/${p.name}`)));
  const runShopIds = [
    ...new Set(
      runs.items.flatMap((r) =>
        r.params && typeof r.params === "object" && !Array.isArray(r.params)
          ? Object.entries(r.params as Record<string, unknown>).flatMap(([k, v]) => (shopParams.has(`${r.name}/${k}`) && z.uuid().safeParse(v).success ? [v as string] : []))
          : [],
      ),
    ),
  ];
  const [choices, named] = await Promise.all([
    shopParams.size > 0 ? client.admin.shops.list.query({ limit: SHOP_CHOICES }) : { items: [], more: false },
    runShopIds.length > 0 ? client.admin.shops.list.query({ ids: runShopIds, limit: runShopIds.length }) : { items: [], more: false },
  ]);
  const shopNames = Object.fromEntries([...choices.items, ...named.items].map((s) => [s.id, s.shopName]));
  const shopOptions = [{ value: "", label: "Choose a shop" }, ...choices.items.map((s) => ({ value: s.id, label: `${s.shopName} (${s.user.email})` }))];
  const href = (change: Partial<Sp>) => {
    const next = { name, status, ...change };
    const params = new URLSearchParams(Object.entries(next).filter((e): e is [string, string] => Boolean(e[1])));
    const s = params.toString();
    return s ? `/admin/jobs?${s}` : "/admin/jobs";
  };
  return (
    <main id="main">
      <AdminNav current="/admin/jobs" />
      <h1>Jobs</h1>
      <section aria-labelledby="catalog-title">
        <h2 id="catalog-title">Run a job now</h2>
        <ul className="panels" style={{ listStyle: "none", padding: 0 }}>
          {catalog.map((job) => (
            <li key={job.name} className="panel" style={{ marginBottom: 0 }} data-testid={`job-${job.name}`}>
              <h3 style={{ margin: "0 0 0.25rem" }}>{job.title}</h3>
              <p className="small muted" style={{ marginTop: 0 }}>
                {job.description}
              </p>
              <ActionForm action={triggerJobAction} label={`Run ${job.title}`} className="form">
                <input type="hidden" name="name" value={job.name} />
                {job.params.map((p) =>
                  p.kind === "seller" ? (
                    <Field
                      key={p.name}
                      name={`param:${p.name}`}
                      label={p.label}
                      type="select"
                      options={shopOptions}
                      required={p.required}
                      hint={choices.more ? `${p.description} The first ${SHOP_CHOICES} shops by name are listed.` : p.description}
                    />
                  ) : (
                    <Field
                      key={p.name}
                      name={`param:${p.name}`}
                      label={p.label}
                      type={p.kind === "day" ? "date" : "number"}
                      min={p.kind === "count" ? 1 : undefined}
                      inputMode={p.kind === "count" ? "numeric" : undefined}
                      hint={p.description}
                      required={p.required}
                    />
                  ),
                )}
                <div>
                  <SubmitButton className="button small" pendingLabel="Queuing…">
                    Run now
                  </SubmitButton>
                </div>
              </ActionForm>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="runs-title">
        <div className="page-head" style={{ marginTop: "1.5rem" }}>
          <h2 id="runs-title" style={{ margin: 0 }}>
            Recent runs
          </h2>
          <form method="get" action="/admin/jobs" className="inline-form" aria-label="Filter runs">
            <label htmlFor="jr-name" className="visually-hidden">
              Job
            </label>
            <select id="jr-name" name="name" defaultValue={name ?? ""}>
              <option value="">All jobs</option>
              {catalog.map((j) => (
                <option key={j.name} value={j.name}>
                  {j.title}
                </option>
              ))}
            </select>
            <label htmlFor="jr-status" className="visually-hidden">
              Status
            </label>
            <select id="jr-status" name="status" defaultValue={status ?? ""}>
              <option value="">Any status</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {humanize(s)}
                </option>
              ))}
            </select>
            <button type="submit" className="secondary small">
              Filter
            </button>
          </form>
        </div>
        <TRPCProvider>
          <LiveJobRuns input={input} initial={runs} time={time.format} catalog={catalog} shops={shopNames} />
        </TRPCProvider>
        <nav className="pager" aria-label="Pages">
          {input.cursor ? <Link href={href({ cursor: undefined })}>← Newest</Link> : <span />}
          {runs.nextCursor ? (
            <Link className="button" href={href({ cursor: runs.nextCursor })}>
              Older runs →
            </Link>
          ) : null}
        </nav>
      </section>
    </main>
  );
}
