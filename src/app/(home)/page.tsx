import Link from "next/link";
import { api } from "~/web/trpc/server";
import { ProductGrid } from "~/web/components/product-card";
import { EmptyState, ErrorNotice } from "~/web/components/states";

// The shop changes as sellers publish: render per request, never at build time.
export const dynamic = "force-dynamic";

export default async function HomePage() {
  const client = await api();
  const [newest, categories] = await Promise.allSettled([client.catalog.list.query({ limit: 8, sort: "newest" }), client.catalog.categories.query()]);
  // Featured: the best-stocked top-level categories, two products each, so the home page shows
  // the breadth of the shop rather than one seller's latest upload.
  const top =
    categories.status === "fulfilled"
      ? categories.value.filter((c) => c.parentId === null).sort((a, b) => b.activeProducts - a.activeProducts).slice(0, 4)
      : [];
  const featuredLists = await Promise.allSettled(top.map((c) => client.catalog.list.query({ limit: 2, categorySlug: c.slug, sort: "price_desc" })));
  const seen = new Set(newest.status === "fulfilled" ? newest.value.items.map((p) => p.id) : []);
  const featured = featuredLists.flatMap((r) => (r.status === "fulfilled" ? r.value.items : [])).filter((p) => !seen.has(p.id));

  return (
    <main id="main">
      <section className="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">Good things from independent sellers</h1>
        <p>One cart, one checkout, every order tracked from payment to your door.</p>
        <Link className="button" href="/catalog">
          Browse the catalog
        </Link>
      </section>
      {top.length > 0 ? (
        <nav aria-label="Popular categories">
          <ul className="chips" style={{ marginBottom: "1.5rem" }}>
            {top.map((c) => (
              <li key={c.id}>
                <Link href={`/catalog?category=${encodeURIComponent(c.slug)}`}>{c.name}</Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {featured.length > 0 ? (
        <section aria-labelledby="featured-title">
          <h2 id="featured-title">Featured</h2>
          <ProductGrid products={featured} label="Featured products" />
        </section>
      ) : null}
      <section aria-labelledby="new-title">
        <div className="page-head" style={{ marginTop: "1.5rem" }}>
          <h2 id="new-title" style={{ margin: 0 }}>
            New arrivals
          </h2>
          <Link href="/catalog?sort=newest">See all</Link>
        </div>
        {newest.status === "rejected" ? (
          <ErrorNotice>New arrivals are unavailable right now. Please try again in a moment.</ErrorNotice>
        ) : newest.value.items.length === 0 ? (
          <EmptyState>No products yet. Check back soon.</EmptyState>
        ) : (
          <ProductGrid products={newest.value.items} label="New arrivals" eagerCount={featured.length > 0 ? 0 : 4} />
        )}
      </section>
    </main>
  );
}
