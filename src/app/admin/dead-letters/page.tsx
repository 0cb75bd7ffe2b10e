import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { AdminNav } from "~/web/admin-nav";
import { ActionForm, SubmitButton } from "~/web/components/form";
import { EmptyState } from "~/web/components/states";
import { viewerTime } from "~/web/viewer-time";
import { requireViewer } from "~/web/viewer";
import { replayDeadLetterAction } from "../actions";

export const metadata: Metadata = { title: "Dead letters" };
export const dynamic = "force-dynamic";

type Sp = { consumer?: string; all?: string; cursor?: string };

export default async function DeadLettersPage({ searchParams }: { searchParams: Promise<Sp> }) {
  await requireViewer("/admin/dead-letters", "admin");
  const sp = await searchParams;
  const consumer = sp.consumer?.trim().slice(0, 100) || undefined;
  const includeReplayed = sp.all === "1";
  const cursor = sp.cursor?.slice(0, 512);
  const time = await viewerTime();
  const page = await (await api()).deadLetters.list.query({ limit: 25, cursor: cursor ?? null, consumer, includeReplayed });
  const href = (c?: string) => {
    const params = new URLSearchParams();
    if (consumer) params.set("consumer", consumer);
    if (includeReplayed) params.set("all", "1");
    if (c) params.set("cursor", c);
    const s = params.toString();
    return s ? `/admin/dead-letters?${s}` : "/admin/dead-letters";
  };
  return (
    <main id="main">
      <AdminNav current="/admin/dead-letters" />
      <h1>Dead letters</h1>
      <p className="muted">Messages a consumer gave up on after its retries. Fix the cause, then replay: only the consumer that failed gets the message again.</p>
      <form method="get" action="/admin/dead-letters" className="inline-form" aria-label="Filter dead letters" style={{ marginBottom: "1rem" }}>
        <label htmlFor="dl-consumer" className="label">
          Consumer
        </label>
        <input id="dl-consumer" name="consumer" defaultValue={consumer} maxLength={100} style={{ width: "12rem" }} />
        <label className="check">
          <input type="checkbox" name="all" value="1" defaultChecked={includeReplayed} /> Include replayed
        </label>
        <button type="submit" className="secondary">
          Filter
        </button>
      </form>
      {page.items.length === 0 ? (
        <EmptyState>No dead letters{consumer ? ` for ${consumer}` : ""}. Every message was handled.</EmptyState>
      ) : (
        <ul className="cart-lines" aria-label="Dead letters">
          {page.items.map((d) => (
            <li key={d.id} className="panel">
              <div className="page-head" style={{ marginBottom: "0.4rem" }}>
                <h2 style={{ margin: 0, fontSize: "1rem" }}>
                  {d.eventType ?? "unknown event"} → {d.consumer}
                </h2>
                {d.replayedAt ? <span className="badge ok">replayed {time.dateTime(d.replayedAt)}</span> : <span className="badge danger">waiting</span>}
              </div>
              <p className="small">
                <strong>Reason:</strong> {d.reason}
              </p>
              <p className="small muted">
                {d.attempts} attempt{d.attempts === 1 ? "" : "s"} · dead-lettered {time.dateTime(d.createdAt)}
                {d.eventId ? ` · event ${d.eventId}` : ""}
              </p>
              <details>
                <summary>Payload</summary>
                <pre className="code">{JSON.stringify(d.payload, null, 2)}</pre>
              </details>
              {!d.replayedAt ? (
                <ActionForm action={replayDeadLetterAction} className="inline-form" label={`Replay dead letter ${d.id}`}>
                  <input type="hidden" name="id" value={d.id} />
                  <SubmitButton className="button small" pendingLabel="Replaying…">
                    Replay
                  </SubmitButton>
                </ActionForm>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <nav className="pager" aria-label="Pages">
        {cursor ? <Link href={href()}>← Newest</Link> : <span />}
        {page.nextCursor ? (
          <Link className="button" href={href(page.nextCursor)}>
            Older →
          </Link>
        ) : null}
      </nav>
    </main>
  );
}
