import Link from "next/link";
import type { ReactNode } from "react";
import { getViewer } from "~/web/viewer";

/**
 * Every seller page acts on the viewer's own shop. An account without one (a buyer who followed a
 * link, or an administrator: admins may open the workspace but need not sell) sees what it can do
 * instead of the pages, which the API would refuse with "no shop" (the pages, which Next renders
 * alongside, see that too and ask the API nothing: requireShop). Visitors reach the pages, which
 * send them to sign in.
 */
export default async function SellerLayout({ children }: { children: ReactNode }) {
  const viewer = await getViewer();
  if (!viewer || viewer.seller) return children;
  const admin = viewer.role === "admin";
  return (
    <main id="main">
      <h1>Seller workspace</h1>
      <div className="empty" data-testid="no-shop">
        <p>
          {admin
            ? "Your administrator account has no shop of its own, so there are no products, orders or sales to show here."
            : "You have no shop yet. Open one to list products, receive orders and follow your sales here."}
        </p>
        {admin ? <p>You can open a shop from your account and stay an administrator, or look after the whole shop in Operations.</p> : null}
        <p className="actions-row">
          <Link className="button" href="/account#sell">
            Open a shop
          </Link>
          {admin ? (
            <Link className="button secondary" href="/admin">
              Go to Operations
            </Link>
          ) : null}
        </p>
      </div>
    </main>
  );
}
