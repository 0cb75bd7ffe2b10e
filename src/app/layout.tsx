import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { signOut } from "~/web/actions/auth";
import { NavMenu } from "~/web/components/nav-menu";
import { TIME_ZONE_SCRIPT } from "~/web/datetime";
import { getViewer } from "~/web/viewer";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Lavka", template: "%s · Lavka" },
  description: "Buy from independent sellers.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#1f6f5c" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const viewer = await getViewer();
  return (
    <html lang="en">
      <body>
        {/* Tells the server the browser's time zone (a cookie), so pages show times in it. */}
        <script dangerouslySetInnerHTML={{ __html: TIME_ZONE_SCRIPT }} />
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <div className="inner">
            <Link href="/" className="brand">
              Lavka
            </Link>
            <form role="search" action="/catalog" className="header-search">
              <label htmlFor="site-search" className="visually-hidden">
                Search products
              </label>
              <input id="site-search" type="search" name="q" placeholder="Search products" maxLength={200} />
              <button type="submit">Search</button>
            </form>
            <NavMenu>
              <nav aria-label="Main" className="site-nav">
                <Link href="/catalog">Catalog</Link>
                <Link href="/cart">Cart</Link>
                {viewer ? <Link href="/orders">Orders</Link> : null}
                {viewer?.role === "seller" || viewer?.role === "admin" ? <Link href="/seller">Seller</Link> : null}
                {viewer?.role === "admin" ? <Link href="/admin">Operations</Link> : null}
                {viewer ? (
                  <>
                    <Link href="/account">Account</Link>
                    <form action={signOut}>
                      <button type="submit" className="link">
                        Sign out
                      </button>
                    </form>
                  </>
                ) : (
                  <>
                    <Link href="/login">Sign in</Link>
                    <Link href="/register">Register</Link>
                  </>
                )}
              </nav>
            </NavMenu>
          </div>
        </header>
        {children}
        <footer className="site-footer">
          <div className="inner">Lavka · independent sellers, one checkout.</div>
        </footer>
      </body>
    </html>
  );
}
