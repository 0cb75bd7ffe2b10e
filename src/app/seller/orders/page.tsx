import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { ActionForm, Field, SubmitButton } from "~/web/components/form";
import { EmptyState } from "~/web/components/states";
import { money } from "~/web/format";
import { viewerTime } from "~/web/viewer-time";
import { orderStatusText } from "~/web/order-status";
import { SellerNav } from "~/web/seller-nav";
import { requireShop } from "~/web/viewer";
import { markShippedAction } from "../actions";

export const metadata: Metadata = { title: "Orders to fulfil" };
export const dynamic = "force-dynamic";

// Paid orders move to "fulfilling" as soon as the carrier has a shipment for them: both await the seller.
const FILTERS = [
  { value: "fulfilling", label: "To ship" },
  { value: "paid", label: "Just paid" },
  { value: "shipped", label: "Shipped" },
  { value: "delivered", label: "Delivered" },
  { value: "pending_payment", label: "Awaiting payment" },
] as const;

type Props = { searchParams: Promise<{ status?: string; cursor?: string; shipped?: string }> };

export default async function SellerOrdersPage({ searchParams }: Props) {
  const viewer = await requireShop("/seller/orders");
  if (!viewer) return null;
  const params = await searchParams;
  const status = FILTERS.find((f) => f.value === params.status)?.value;
  const cursor = params.cursor?.slice(0, 512);
  const time = await viewerTime();
  const page = await (await api()).orders.sellerLines.query({ limit: 20, cursor: cursor ?? null, status });
  const href = (s: string | undefined, c?: string) => {
    const sp = new URLSearchParams();
    if (s) sp.set("status", s);
    if (c) sp.set("cursor", c);
    const q = sp.toString();
    return q ? `/seller/orders?${q}` : "/seller/orders";
  };
  return (
    <main id="main">
      <SellerNav current="/seller/orders" />
      <h1>Orders to fulfil</h1>
      {params.shipped && /^\d{1,12}$/.test(params.shipped) ? (
        <p className="notice ok" role="status">
          Order #{params.shipped} marked as shipped. The buyer can follow the parcel now.
        </p>
      ) : null}
      <nav aria-label="Filter by status">
        <ul className="subnav">
          <li>
            <Link href={href(undefined)} aria-current={!status ? "page" : undefined}>
              All
            </Link>
          </li>
          {FILTERS.map((f) => (
            <li key={f.value}>
              <Link href={href(f.value)} aria-current={status === f.value ? "page" : undefined}>
                {f.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {page.items.length === 0 ? (
        <EmptyState>{status ? "No orders with this status." : "No orders yet. They appear here once buyers pay."}</EmptyState>
      ) : (
        <ul className="cart-lines" aria-label="Orders">
          {page.items.map((order) => {
            const canShip = (order.status === "paid" || order.status === "fulfilling") && !order.shipment?.shippedAt;
            return (
              <li key={order.id} className="panel" data-testid={`seller-order-${order.number}`}>
                <div className="page-head" style={{ marginBottom: "0.5rem" }}>
                  <h2 style={{ margin: 0 }}>Order #{order.number}</h2>
                  <span className={`badge ${order.status}`}>{orderStatusText(order.status)}</span>
                </div>
                <p className="small muted">
                  Placed {time.dateTime(order.placedAt)}
                  {order.paidAt ? ` · paid ${time.dateTime(order.paidAt)}` : ""} · your part {money(order.sellerSubtotalMinor, order.currency)}
                </p>
                <ul>
                  {order.lines.map((line) => (
                    <li key={line.id}>
                      {line.quantity} × {line.title} <span className="small muted">({line.sku})</span>
                    </li>
                  ))}
                </ul>
                {order.shipment?.shippedAt ? (
                  <p>
                    Shipped with {order.shipment.carrier}, tracking <code>{order.shipment.trackingNumber}</code> ·{" "}
                    <span className={`badge ${order.shipment.status}`}>{order.shipment.status.replace(/_/g, " ")}</span>
                  </p>
                ) : null}
                {canShip ? (
                  <ActionForm action={markShippedAction} label={`Mark order ${order.number} shipped`} className="form wide">
                    <input type="hidden" name="orderId" value={order.id} />
                    <div className="form-row">
                      <Field name="carrier" label="Carrier" defaultValue={order.shipment?.carrier ?? "Lavka Delivery"} required maxLength={50} />
                      <Field name="trackingNumber" label="Tracking number" defaultValue={order.shipment?.trackingNumber ?? undefined} required maxLength={64} />
                    </div>
                    <div>
                      <SubmitButton pendingLabel="Marking shipped…">Mark shipped</SubmitButton>
                    </div>
                  </ActionForm>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      <nav className="pager" aria-label="Pages">
        {cursor ? <Link href={href(status)}>← Newest</Link> : <span />}
        {page.nextCursor ? (
          <Link className="button" href={href(status, page.nextCursor)}>
            Older orders →
          </Link>
        ) : null}
      </nav>
    </main>
  );
}
