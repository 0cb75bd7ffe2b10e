import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { EmptyState } from "~/web/components/states";
import { money } from "~/web/format";
import { viewerTime } from "~/web/viewer-time";
import { orderStatusText } from "~/web/order-status";
import { requireViewer } from "~/web/viewer";

export const metadata: Metadata = { title: "Your orders" };
export const dynamic = "force-dynamic";

const STATUSES = ["pending_payment", "paid", "fulfilling", "shipped", "delivered", "cancelled"] as const;
type Status = (typeof STATUSES)[number];

type Props = { searchParams: Promise<{ status?: string; cursor?: string }> };

export default async function OrdersPage({ searchParams }: Props) {
  await requireViewer("/orders");
  const params = await searchParams;
  const status = STATUSES.find((s) => s === params.status) as Status | undefined;
  const cursor = params.cursor?.slice(0, 512);
  const time = await viewerTime();
  const page = await (await api()).orders.list.query({ limit: 20, cursor: cursor ?? null, status });
  const href = (change: { status?: string; cursor?: string }) => {
    const sp = new URLSearchParams();
    const s = "status" in change ? change.status : status;
    if (s) sp.set("status", s);
    if (change.cursor) sp.set("cursor", change.cursor);
    const q = sp.toString();
    return q ? `/orders?${q}` : "/orders";
  };
  return (
    <main id="main">
      <div className="page-head">
        <h1>Your orders</h1>
      </div>
      <nav aria-label="Filter by status">
        <ul className="subnav">
          <li>
            <Link href={href({ status: undefined })} aria-current={!status ? "page" : undefined}>
              All
            </Link>
          </li>
          {STATUSES.map((s) => (
            <li key={s}>
              <Link href={href({ status: s })} aria-current={status === s ? "page" : undefined}>
                {orderStatusText(s)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {page.items.length === 0 ? (
        <EmptyState action={{ href: "/catalog", label: "Start shopping" }}>
          {status ? "No orders with this status." : "You have not ordered anything yet."}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Your orders, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col" className="hide-narrow">
                  Placed
                </th>
                <th scope="col" className="num">Items</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">Total</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((order) => (
                <tr key={order.id}>
                  <td>
                    <Link href={`/orders/${order.id}`}>Order #{order.number}</Link>
                    <div className="small muted show-narrow">{time.dateTime(order.placedAt)}</div>
                  </td>
                  <td className="hide-narrow">{time.dateTime(order.placedAt)}</td>
                  <td className="num">{order.units}</td>
                  <td>
                    <span className={`badge ${order.status}`}>{orderStatusText(order.status)}</span>
                  </td>
                  <td className="num">{money(order.totalMinor, order.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        {cursor ? <Link href={href({})}>← Newest</Link> : <span />}
        {page.nextCursor ? (
          <Link className="button" href={href({ cursor: page.nextCursor })}>
            Older orders →
          </Link>
        ) : null}
      </nav>
    </main>
  );
}
