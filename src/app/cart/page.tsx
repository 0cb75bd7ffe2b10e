import type { Metadata } from "next";
import { IMAGE_SIZES, ProductImage } from "~/web/components/product-image";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { AvailabilityBadge } from "~/web/components/availability";
import { ActionForm, Field, SubmitButton } from "~/web/components/form";
import { EmptyState } from "~/web/components/states";
import { money } from "~/web/format";
import { getViewer } from "~/web/viewer";
import { removeLineAction, setQuantityAction } from "./actions";

export const metadata: Metadata = { title: "Cart" };
export const dynamic = "force-dynamic";

const PROBLEM_TEXT = { unavailable: "No longer sold", out_of_stock: "Out of stock", insufficient_stock: "Not enough in stock" } as const;

export default async function CartPage() {
  const viewer = await getViewer();
  if (!viewer) {
    return (
      <main id="main">
        <h1>Cart</h1>
        <EmptyState action={{ href: "/login?next=/cart", label: "Sign in" }}>Sign in to see your cart. It is kept for you across devices.</EmptyState>
      </main>
    );
  }
  const cart = await (await api()).cart.view.query();
  return (
    <main id="main">
      <h1>Cart</h1>
      {cart.lines.length === 0 ? (
        <EmptyState action={{ href: "/catalog", label: "Browse the catalog" }}>Your cart is empty.</EmptyState>
      ) : (
        <div className="two-col">
          <ul className="cart-lines" aria-label="Items in your cart">
            {cart.lines.map((line) => (
              <li key={line.productId} className="cart-line">
                <ProductImage product={{ photos: line.photo ? [line.photo] : [], images: line.image ? [line.image] : [] }} sizes={IMAGE_SIZES.thumb} alt="" />
                <div>
                  <Link href={`/products/${line.productId}`}>
                    <strong>{line.title}</strong>
                  </Link>
                  <div className="small muted">by {line.seller.shopName}</div>
                  <div className="small">
                    {money(line.unitPriceMinor, line.currency)} each · <strong>{money(line.lineTotalMinor, line.currency)}</strong>
                  </div>
                  <div className="small">
                    {line.problem ? <span className="badge danger">{PROBLEM_TEXT[line.problem]}</span> : <AvailabilityBadge availability={line.availability} />}
                  </div>
                </div>
                <div className="actions">
                  <ActionForm action={setQuantityAction} className="inline-form" label={`Quantity of ${line.title}`}>
                    <input type="hidden" name="productId" value={line.productId} />
                    <Field name="quantity" label="Quantity" type="number" min={0} max={999} defaultValue={line.quantity} inputMode="numeric" />
                    <SubmitButton className="button secondary small" pendingLabel="Updating…">
                      Update
                    </SubmitButton>
                  </ActionForm>
                  <ActionForm action={removeLineAction} className="inline-form" label={`Remove ${line.title}`}>
                    <input type="hidden" name="productId" value={line.productId} />
                    <SubmitButton className="button danger small" pendingLabel="Removing…">
                      Remove
                    </SubmitButton>
                  </ActionForm>
                </div>
              </li>
            ))}
          </ul>
          <aside className="summary" aria-label="Cart summary">
            <h2 style={{ margin: 0 }}>Summary</h2>
            <dl>
              <dt>Items</dt>
              <dd>{cart.itemCount}</dd>
              {cart.totals.map((t) => (
                <div key={t.currency} style={{ display: "contents" }}>
                  <dt className="total">Subtotal</dt>
                  <dd className="total">{money(t.subtotalMinor, t.currency)}</dd>
                </div>
              ))}
            </dl>
            {cart.blockers.length > 0 ? (
              <ul className="notice warn" aria-label="Before you can check out">
                {cart.blockers.map((b) => (
                  <li key={b}>{b}</li>
                ))}
              </ul>
            ) : null}
            {cart.canCheckout ? (
              <Link className="button large" href="/checkout">
                Go to checkout
              </Link>
            ) : (
              <button type="button" className="large" disabled>
                Go to checkout
              </button>
            )}
          </aside>
        </div>
      )}
    </main>
  );
}
