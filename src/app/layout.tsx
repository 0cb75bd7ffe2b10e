import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Lavka", template: "%s · Lavka" },
  description: "Buy from independent sellers.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            Lavka
          </Link>
          <nav aria-label="Main">
            <Link href="/">Catalog</Link>
          </nav>
        </header>
        {children}
      </body>
    </html>
  );
}
