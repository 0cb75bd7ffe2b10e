import Link from "next/link";
import { api } from "~/trpc/server";
import { ProductGrid } from "~/web/components/product-card";
import { EmptyState, ErrorNotice } from "~/web/components/states";

// The shop changes as sellers publish: render per request, never at build time.
export const dynamic = "force-dynamic";

export default async function HomePage() {
  const client = await api();
  // TODO(catalog featured): a curated/popular list; until then the newest products lead.
  const [newest] = await Promise.allSettled([client.catalog.list.query({ limit: 8 })]);
  return (
    <main id="main">
      <section className="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">Good things from independent sellers</h1>
        <p>One cart, one checkout, every order tracked from payment to your door.</p>
        <Link className="button" href="/catalog">
          Browse the catalog
        </Link>
      </section>
      <section aria-labelledby="new-title">
        <div className="page-head">
          <h2 id="new-title">New arrivals</h2>
          <Link href="/catalog?sort=newest">See all</Link>
        </div>
        {newest.status === "rejected" ? (
          <ErrorNotice>New arrivals are unavailable right now. Please try again in a moment.</ErrorNotice>
        ) : newest.value.items.length === 0 ? (
          <EmptyState>No products yet. Check back soon.</EmptyState>
        ) : (
          <ProductGrid products={newest.value.items} label="New arrivals" />
        )}
      </section>
    </main>
  );
}
