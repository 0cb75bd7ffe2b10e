import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { CATALOG_SORTS, catalogHref, categoryTree, effectiveSort, majorToMinor, parseCatalogQuery } from "~/web/catalog-query";
import { ProductGrid } from "~/web/components/product-card";
import { EmptyState, ErrorNotice } from "~/web/components/states";
import { webConfig } from "~/web/config";
import { badRequestMessage } from "~/web/forms";

export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const { q } = parseCatalogQuery(await searchParams);
  return { title: q ? `“${q}” in the catalog` : "Catalog" };
}

export default async function CatalogPage({ searchParams }: Props) {
  const query = parseCatalogQuery(await searchParams);
  const sort = effectiveSort(query);
  const currency = webConfig().SHOP_CURRENCY;
  const client = await api();
  const minPriceMinor = majorToMinor(query.min, currency);
  const maxPriceMinor = majorToMinor(query.max, currency);
  const [listed, categories] = await Promise.allSettled([
    client.catalog.list.query({
      limit: 24,
      cursor: query.cursor ?? null,
      q: query.q,
      categorySlug: query.category,
      minPriceMinor,
      maxPriceMinor,
      currency: minPriceMinor !== undefined || maxPriceMinor !== undefined ? currency : undefined,
      inStock: query.inStock,
      sort,
    }),
    client.catalog.categories.query(),
  ]);
  const page = listed.status === "fulfilled" ? listed.value : null;
  // A bad filter (say, max below min) is the visitor's to fix: show the API's words, not an outage.
  const filterProblem = listed.status === "rejected" ? badRequestMessage(listed.reason) : null;
  const categoryOptions = categories.status === "fulfilled" ? categoryTree(categories.value) : [];
  const categoryName = categoryOptions.find((c) => c.slug === query.category)?.name ?? query.category;
  const active = [
    query.q ? { label: `“${query.q}”`, href: catalogHref(query, { q: undefined }) } : null,
    query.category ? { label: `Category: ${categoryName}`, href: catalogHref(query, { category: undefined }) } : null,
    query.min ? { label: `From ${query.min} ${currency}`, href: catalogHref(query, { min: undefined }) } : null,
    query.max ? { label: `Up to ${query.max} ${currency}`, href: catalogHref(query, { max: undefined }) } : null,
    query.inStock ? { label: "In stock", href: catalogHref(query, { inStock: undefined }) } : null,
  ].filter((chip) => chip !== null);

  return (
    <main id="main">
      <div className="page-head">
        <h1>{query.q ? `Results for “${query.q}”` : "Catalog"}</h1>
      </div>
      <div className="catalog">
        {/* A plain GET form: filters live in the URL and work without JavaScript. */}
        {/* On a phone the filters fold away behind "Filters and sorting"; wider screens always show them. */}
        <details className="filter-box">
          <summary className="button secondary">Filters and sorting{active.length > 0 ? ` (${active.length} active)` : ""}</summary>
        <form className="filters" action="/catalog" method="get" aria-label="Filter products">
          <div className="field">
            <label htmlFor="f-q">Search</label>
            <input id="f-q" type="search" name="q" defaultValue={query.q} maxLength={200} placeholder="e.g. linen, teapot" />
          </div>
          <div className="field">
            <label htmlFor="f-category">Category</label>
            <select id="f-category" name="category" defaultValue={query.category ?? ""}>
              <option value="">All categories</option>
              {categoryOptions.map((c) => (
                <option key={c.slug} value={c.slug}>
                  {c.depth > 0 ? "\u00a0\u00a0\u00a0" : ""}
                  {c.name} ({c.activeProducts})
                </option>
              ))}
            </select>
          </div>
          <fieldset>
            <legend>Price ({currency})</legend>
            <div className="range">
              <label className="visually-hidden" htmlFor="f-min">
                Minimum price
              </label>
              <input id="f-min" name="min" inputMode="decimal" placeholder="Min" defaultValue={query.min} pattern="\d+([.,]\d{1,3})?" />
              <label className="visually-hidden" htmlFor="f-max">
                Maximum price
              </label>
              <input id="f-max" name="max" inputMode="decimal" placeholder="Max" defaultValue={query.max} pattern="\d+([.,]\d{1,3})?" />
            </div>
          </fieldset>
          <label className="check">
            <input type="checkbox" name="inStock" value="1" defaultChecked={query.inStock} /> In stock only
          </label>
          <div className="field">
            <label htmlFor="f-sort">Sort by</label>
            <select id="f-sort" name="sort" defaultValue={sort}>
              {CATALOG_SORTS.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Apply filters</button>
          {active.length > 0 ? (
            <Link href="/catalog" className="small">
              Clear all filters
            </Link>
          ) : null}
        </form>
        </details>

        <section aria-label="Results">
          {active.length > 0 ? (
            <ul className="chips" aria-label="Active filters" style={{ marginBottom: "1rem" }}>
              {active.map((chip) => (
                <li key={chip.label}>
                  <Link href={chip.href} aria-label={`Remove filter ${chip.label}`}>
                    {chip.label} ✕
                  </Link>
                </li>
              ))}
            </ul>
          ) : null}
          {filterProblem ? (
            <ErrorNotice>Please check the filters: {filterProblem}</ErrorNotice>
          ) : !page ? (
            <ErrorNotice>The catalog is unavailable right now. Please try again in a moment.</ErrorNotice>
          ) : page.items.length === 0 ? (
            <EmptyState action={active.length > 0 ? { href: "/catalog", label: "Clear filters" } : undefined}>
              {active.length > 0 ? "No products match these filters." : "No products yet. Check back soon."}
            </EmptyState>
          ) : (
            <ProductGrid products={page.items} label="Products" />
          )}
          <nav className="pager" aria-label="Pages">
            {query.cursor ? <Link href={catalogHref(query)}>← First page</Link> : <span />}
            {page?.nextCursor ? (
              <Link className="button" href={catalogHref(query, { cursor: page.nextCursor })}>
                Next page →
              </Link>
            ) : null}
          </nav>
        </section>
      </div>
    </main>
  );
}
