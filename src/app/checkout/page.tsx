import { randomUUID } from "node:crypto";
import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { ActionForm, Field, SubmitButton } from "~/web/components/form";
import { EmptyState } from "~/web/components/states";
import { money } from "~/web/format";
import { requireViewer } from "~/web/viewer";
import { placeOrderAction } from "./actions";

export const metadata: Metadata = { title: "Checkout" };
export const dynamic = "force-dynamic";

const COUNTRIES = [
  ["DE", "Germany"],
  ["FR", "France"],
  ["NL", "Netherlands"],
  ["AT", "Austria"],
  ["BE", "Belgium"],
  ["ES", "Spain"],
  ["IT", "Italy"],
  ["PL", "Poland"],
  ["SE", "Sweden"],
  ["GB", "United Kingdom"],
  ["US", "United States"],
] as const;

export default async function CheckoutPage() {
  const viewer = await requireViewer("/checkout");
  const cart = await (await api()).cart.view.query();
  if (cart.lines.length === 0) {
    return (
      <main id="main">
        <h1>Checkout</h1>
        <EmptyState action={{ href: "/catalog", label: "Browse the catalog" }}>Your cart is empty.</EmptyState>
      </main>
    );
  }
  // One key per checkout attempt: created with this page, reused by every submit of its form.
  const idempotencyKey = randomUUID();
  const sellers = new Set(cart.lines.map((l) => l.seller.id)).size;
  return (
    <main id="main">
      <h1>Checkout</h1>
      <div className="two-col">
        <ActionForm action={placeOrderAction} label="Shipping and payment" className="form wide">
          <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
          <fieldset className="panel" style={{ display: "flex", flexDirection: "column", gap: "0.9rem" }}>
            <legend className="label">Shipping address</legend>
            <Field name="name" label="Full name" autoComplete="name" defaultValue={viewer.displayName} required maxLength={200} />
            <Field name="line1" label="Street and number" autoComplete="address-line1" required maxLength={200} />
            <Field name="line2" label="Apartment, floor (optional)" autoComplete="address-line2" maxLength={200} />
            <div className="form-row">
              <Field name="postalCode" label="Postal code" autoComplete="postal-code" required maxLength={20} />
              <Field name="city" label="City" autoComplete="address-level2" required maxLength={100} />
            </div>
            <div className="form-row">
              <Field name="region" label="Region (optional)" autoComplete="address-level1" maxLength={100} />
              <Field name="country" label="Country" type="select" defaultValue="DE" options={COUNTRIES.map(([value, label]) => ({ value, label }))} />
            </div>
            <Field name="phone" label="Phone (optional, for the courier)" autoComplete="tel" maxLength={40} />
          </fieldset>
          <p className="small muted">
            Payment is taken by Lavka Pay once the sellers have reserved your items. You can cancel until the payment is confirmed.
          </p>
          {cart.blockers.length > 0 ? (
            <ul className="notice warn">
              {cart.blockers.map((b) => (
                <li key={b}>{b}</li>
              ))}
            </ul>
          ) : null}
          <div>
            <SubmitButton className="button large" pendingLabel="Placing your order…">
              Place order
            </SubmitButton>
          </div>
        </ActionForm>
        <aside className="summary" aria-label="Order summary">
          <h2 style={{ margin: 0 }}>Your order</h2>
          <ul className="small" style={{ paddingLeft: "1.1rem", margin: 0 }}>
            {cart.lines.map((l) => (
              <li key={l.productId}>
                {l.quantity} × {l.title} <span className="muted">({l.seller.shopName})</span> — {money(l.lineTotalMinor, l.currency)}
              </li>
            ))}
          </ul>
          <dl>
            {cart.totals.map((t) => (
              <div key={t.currency} style={{ display: "contents" }}>
                <dt className="total">Subtotal</dt>
                <dd className="total">{money(t.subtotalMinor, t.currency)}</dd>
              </div>
            ))}
          </dl>
          <p className="small muted">
            From {sellers} seller{sellers === 1 ? "" : "s"}; each ships separately. <Link href="/cart">Edit cart</Link>
          </p>
        </aside>
      </div>
    </main>
  );
}
