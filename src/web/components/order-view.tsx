"use client";

import Link from "next/link";
import { formatMoney } from "~/core/money";
import { formatDateTime, type TimeFormat } from "../datetime";
import type { FormAction } from "../form-state";
import { ActionForm, SubmitButton } from "./form";
import { trpc } from "~/web/trpc/react";
import type { Outputs } from "../types";
import { ORDER_STEPS, isFinalOrderStatus, orderStatusText, orderStep, statusChangeText } from "../order-status";

type Order = Outputs["orders"]["get"];

interface TimelineEntry {
  at: Date;
  title: string;
  detail?: string;
  key: string;
}

function timeline(order: Order): TimelineEntry[] {
  const entries: TimelineEntry[] = order.statusHistory.map((change, i) => ({
    key: `s${i}`,
    at: new Date(change.at),
    title: statusChangeText(change.toStatus),
    // Reasons that merely repeat the title ("order placed") add nothing.
    detail: change.reason && change.reason.toLowerCase() !== statusChangeText(change.toStatus).toLowerCase() ? change.reason : undefined,
  }));
  for (const payment of order.payments) {
    if (payment.status === "failed") {
      entries.push({ key: `p${payment.id}`, at: new Date(payment.updatedAt), title: "Payment failed", detail: payment.failureReason ?? undefined });
    }
  }
  for (const shipment of order.shipments) {
    for (const event of shipment.events) {
      entries.push({
        key: `e${event.id}`,
        at: new Date(event.occurredAt),
        title: `${shipment.seller.shopName}: ${event.description}`,
        detail: event.location ?? undefined,
      });
    }
  }
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * The order page's live part. Rendered on the server with the first-paint data, then polls the
 * API (through the same-origin proxy) every few seconds until the order can no longer change.
 */
export function LiveOrder({ initial, time, cancelAction }: { initial: Order; time: TimeFormat; cancelAction: FormAction }) {
  const query = trpc.orders.get.useQuery(
    { orderId: initial.id },
    {
      initialData: initial,
      refetchInterval: (q) => (q.state.data && isFinalOrderStatus(q.state.data.status) ? false : 3_000),
      refetchIntervalInBackground: false,
    },
  );
  const order = query.data;
  const fmt = (minor: number) => formatMoney(minor, order.currency, time.locale);
  const dt = (d: Date | string) => formatDateTime(d, time);
  const step = orderStep(order.status);
  // A delivered order has completed every step, the last one included.
  const doneThrough = order.status === "delivered" ? step + 1 : step;
  const cancelled = order.status === "cancelled";

  return (
    <div className="two-col">
      <div>
        <p aria-live="polite">
          Status: <span className={`badge ${order.status}`} data-testid="order-status">{orderStatusText(order.status)}</span>
          {!isFinalOrderStatus(order.status) ? (
            <span className="small muted"> · updates automatically{query.isFetching ? " (checking…)" : ""}</span>
          ) : null}
        </p>
        {cancelled ? (
          <p className="notice warn">This order was cancelled{order.cancelReason ? `: ${order.cancelReason}` : "."}</p>
        ) : (
          <ol className="steps" aria-label="Progress">
            {ORDER_STEPS.map((s, i) => (
              <li key={s.key} className={i < doneThrough ? "done" : i === step ? "current" : ""} aria-current={i === step ? "step" : undefined}>
                {s.label}
              </li>
            ))}
          </ol>
        )}

        <section aria-labelledby="items-title" className="panel">
          <h2 id="items-title">Items</h2>
          <div className="table-wrap" style={{ border: 0 }}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Seller</th>
                  <th scope="col" className="num">Qty</th>
                  <th scope="col" className="num">Total</th>
                </tr>
              </thead>
              <tbody>
                {order.lines.map((line) => (
                  <tr key={line.id}>
                    <td>
                      <Link href={`/products/${line.productId}`}>{line.title}</Link>
                    </td>
                    <td>{line.seller.shopName}</td>
                    <td className="num">{line.quantity}</td>
                    <td className="num">{fmt(line.lineTotalMinor)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>

        {order.shipments.length > 0 ? (
          <section aria-labelledby="ship-title" className="panel">
            <h2 id="ship-title">Shipments</h2>
            <ul className="cart-lines">
              {order.shipments.map((shipment) => (
                <li key={shipment.id}>
                  <strong>{shipment.seller.shopName}</strong> · {shipment.carrier}
                  {shipment.trackingNumber ? <> · tracking <code>{shipment.trackingNumber}</code></> : null} ·{" "}
                  <span className={`badge ${shipment.status}`}>{shipment.status.replace(/_/g, " ")}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}

        <section aria-labelledby="history-title" className="panel">
          <h2 id="history-title">Tracking</h2>
          <ol className="timeline" data-testid="order-timeline">
            {timeline(order).map((entry) => (
              <li key={entry.key}>
                <time dateTime={entry.at.toISOString()}>{dt(entry.at)}</time>
                <strong>{entry.title}</strong>
                {entry.detail ? <div className="small muted">{entry.detail}</div> : null}
              </li>
            ))}
            {!isFinalOrderStatus(order.status) ? (
              <li className="future">
                <strong>{step === 0 ? "Waiting for payment confirmation" : step < 3 ? "Waiting for the sellers to ship" : "On its way to you"}</strong>
              </li>
            ) : null}
          </ol>
        </section>
      </div>
      <aside className="summary" aria-label="Order summary">
        <h2 style={{ margin: 0 }}>Summary</h2>
        <dl>
          <dt>Subtotal</dt>
          <dd>{fmt(order.subtotalMinor)}</dd>
          <dt>Shipping</dt>
          <dd>{order.shippingMinor === 0 ? "Free" : fmt(order.shippingMinor)}</dd>
          <dt className="total">Total</dt>
          <dd className="total">{fmt(order.totalMinor)}</dd>
        </dl>
        <p className="small muted">Placed {dt(order.placedAt)}</p>
        {order.paidAt ? <p className="small muted">Paid {dt(order.paidAt)}</p> : null}
        {/* Only while unpaid, and it disappears by itself once the payment lands. */}
        {order.status === "pending_payment" ? (
          <ActionForm action={cancelAction} label="Cancel order" className="form">
            <input type="hidden" name="orderId" value={order.id} />
            <SubmitButton className="button danger" pendingLabel="Cancelling…">
              Cancel this order
            </SubmitButton>
          </ActionForm>
        ) : null}
      </aside>
    </div>
  );
}
