import type { Metadata } from "next";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { CATALOG_SORTS, catalogHref, categoryTree, effectiveSort, majorToMinor, nextPageHref, parseCatalogQuery, previousPageHref, priceRangeProblem } from "~/web/catalog-query";
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

const PAGE_SIZE = 24;

/** The filters' labels, by the API's input field, for what the API refuses in a crafted URL. */
const FILTER_LABELS = { q: "Search", categorySlug: "Category", minPriceMinor: "Lowest price", maxPriceMinor: "Highest price", sort: "Sort by", cursor: "Page" };

export default async function CatalogPage({ searchParams }: Props) {
  const query = parseCatalogQuery(await searchParams);
  const sort = effectiveSort(query);
  const currency = webConfig().SHOP_CURRENCY;
  const client = await api();
  const minPriceMinor = majorToMinor(query.min, currency);
  const maxPriceMinor = majorToMinor(query.max, currency);
  const rangeProblem = priceRangeProblem(query);
  const [listed, categories] = await Promise.allSettled([
    rangeProblem
      ? Promise.resolve(null)
      : client.catalog.list.query({
          limit: PAGE_SIZE,
          cursor: query.cursor ?? null,
          q: query.q,
          categorySlug: query.category,
          minPriceMinor,
          maxPriceMinor,
          currency: minPriceMinor !== undefined || maxPriceMinor !== undefined ? currency : undefined,
          inStock: query.inStock,
          sort,
          count: true,
        }),
    client.catalog.categories.query(),
  ]);
  const page = listed.status === "fulfilled" ? listed.value : null;
  // A bad filter (say, max below min) is the visitor's to fix: say what to change, not an outage.
  const filterProblem = rangeProblem ?? (listed.status === "rejected" ? badRequestMessage(listed.reason, FILTER_LABELS) : null);
  const previous = previousPageHref(query);
  const pageNumber = query.page ?? 1;
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
          {page && page.total && page.items.length > 0 ? (
            <p className="results-count" role="status" data-testid="results-count">
              {resultsText(page.total, pageNumber, page.items.length, query.inStock === true)}
            </p>
          ) : null}
          {filterProblem ? (
            <ErrorNotice>Please check the filters. {filterProblem}</ErrorNotice>
          ) : !page ? (
            <ErrorNotice>The catalog is unavailable right now. Please try again in a moment.</ErrorNotice>
          ) : page.items.length === 0 ? (
            <EmptyState action={active.length > 0 ? { href: "/catalog", label: "Clear filters" } : undefined}>
              {active.length > 0 ? "No products match these filters." : "No products yet. Check back soon."}
            </EmptyState>
          ) : (
            <ProductGrid products={page.items} label="Products" />
          )}
          {query.cursor || page?.nextCursor ? (
            <nav className="pager" aria-label="Pages">
              <span className="pager-back">
                {previous ? (
                  <Link className="button secondary" href={previous} rel="prev">
                    ← Previous page
                  </Link>
                ) : null}
                {query.cursor && pageNumber > 2 ? <Link href={catalogHref(query)}>First page</Link> : null}
              </span>
              <span className="small muted">Page {pageNumber}</span>
              {page?.nextCursor ? (
                <Link className="button" href={nextPageHref(query, page.nextCursor)} rel="next">
                  Next page →
                </Link>
              ) : (
                <span />
              )}
            </nav>
          ) : null}
        </section>
      </div>
    </main>
  );
}

/** "25–48 of 1,234 products"; with the in-stock filter the count is of matches, sold out or not. */
function resultsText(total: { count: number; capped: boolean }, pageNumber: number, shown: number, inStock: boolean): string {
  const count = new Intl.NumberFormat(webConfig().SHOP_LOCALE);
  const all = total.capped ? `more than ${count.format(total.count)}` : count.format(total.count);
  const noun = total.count === 1 && !total.capped ? "product" : "products";
  if (inStock) return `${all} ${noun} match; sold-out ones are left out.`;
  const first = (pageNumber - 1) * PAGE_SIZE + 1;
  return pageNumber === 1 && !total.capped && shown === total.count ? `${all} ${noun}` : `${count.format(first)}–${count.format(first + shown - 1)} of ${all} ${noun}`;
}
