import type { Metadata } from "next";
import { IMAGE_SIZES, ProductImage } from "~/web/components/product-image";
import Link from "next/link";
import { api } from "~/web/trpc/server";
import { categoryTree } from "~/web/catalog-query";
import { ActionForm, SubmitButton } from "~/web/components/form";
import { FilterSelect } from "~/web/components/filter-select";
import { EmptyState, ErrorNotice } from "~/web/components/states";
import { withFilterProblem } from "~/web/forms";
import { date, money } from "~/web/format";
import { SellerNav } from "~/web/seller-nav";
import { requireViewer } from "~/web/viewer";
import { productStatusAction } from "../actions";

export const metadata: Metadata = { title: "Your products" };
export const dynamic = "force-dynamic";

const STATUSES = ["draft", "active", "archived"] as const;
const SORTS = ["newest", "price_asc", "price_desc"] as const;
type Sp = { status?: string; q?: string; category?: string; sort?: string; cursor?: string };

export default async function SellerProductsPage({ searchParams }: { searchParams: Promise<Sp> }) {
  await requireViewer("/seller/products", "seller");
  const sp = await searchParams;
  const status = STATUSES.find((s) => s === sp.status);
  const sort = SORTS.find((s) => s === sp.sort) ?? "newest";
  const q = sp.q?.trim().slice(0, 200) || undefined;
  const category = sp.category?.slice(0, 100) || undefined;
  const cursor = sp.cursor?.slice(0, 512);
  const client = await api();
  const [{ result: page, problem: filterProblem }, categories] = await Promise.all([
    withFilterProblem(
      client.seller.products.listOwn.query({ limit: 20, cursor: cursor ?? null, status, q, categorySlug: category, sort: q && !sp.sort ? "relevance" : sort }),
      { items: [], nextCursor: null },
    ),
    client.catalog.categories.query().then(categoryTree, () => []),
  ]);
  const href = (change: Partial<Sp>) => {
    const next: Sp = { status, q, category, sort: sp.sort, ...change };
    const params = new URLSearchParams(Object.entries(next).filter((e): e is [string, string] => Boolean(e[1])));
    const s = params.toString();
    return s ? `/seller/products?${s}` : "/seller/products";
  };
  const priceSort = sort === "price_asc" ? "price_desc" : "price_asc";
  return (
    <main id="main">
      <SellerNav current="/seller/products" />
      <div className="page-head">
        <h1>Your products</h1>
        <Link className="button" href="/seller/products/new">
          New product
        </Link>
      </div>
      <form action="/seller/products" method="get" className="filters" aria-label="Filter your products" style={{ flexDirection: "row", flexWrap: "wrap", alignItems: "end", marginBottom: "1rem" }}>
        <div className="field">
          <label htmlFor="sp-q">Search</label>
          <input id="sp-q" type="search" name="q" defaultValue={q} maxLength={200} />
        </div>
        <FilterSelect id="sp-status" name="status" label="Status" value={status} options={STATUSES.map((s) => ({ value: s, label: s }))} />
        <FilterSelect
          id="sp-category"
          name="category"
          label="Category"
          value={category}
          options={categories.map((c) => ({ value: c.slug, label: `${c.depth > 0 ? "— " : ""}${c.name}` }))}
        />
        <input type="hidden" name="sort" value={sp.sort ?? ""} />
        <button type="submit">Filter</button>
      </form>
      {filterProblem ? <ErrorNotice>Please check the filters: {filterProblem}</ErrorNotice> : null}
      {page.items.length === 0 ? (
        <EmptyState action={{ href: "/seller/products/new", label: "Create a product" }}>
          {status || q || category ? "No products match these filters." : "You have no products yet."}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Your products</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Status</th>
                <th scope="col" className="num" aria-sort={sort === "price_asc" ? "ascending" : sort === "price_desc" ? "descending" : undefined}>
                  <Link href={href({ sort: priceSort, cursor: undefined })}>Price {sort === "price_asc" ? "↑" : sort === "price_desc" ? "↓" : ""}</Link>
                </th>
                <th scope="col" aria-sort={sort === "newest" ? "descending" : undefined}>
                  <Link href={href({ sort: "newest", cursor: undefined })}>Created {sort === "newest" ? "↓" : ""}</Link>
                </th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <div className="product-cell">
                      <ProductImage className="thumb" product={p} sizes={IMAGE_SIZES.thumb} alt="" />
                      <div>
                        <Link href={`/seller/products/${p.id}`}>
                          <strong>{p.title}</strong>
                        </Link>
                        <div className="small muted">
                          {p.sku}
                          {p.category ? ` · ${p.category.name}` : ""}
                        </div>
                      </div>
                    </div>
                  </td>
                  <td>
                    <span className={`badge ${p.status}`}>{p.status}</span>
                  </td>
                  <td className="num">{money(p.priceMinor, p.currency)}</td>
                  <td>{date(p.createdAt)}</td>
                  <td>
                    <ActionForm action={productStatusAction} className="inline-form" label={`Change status of ${p.title}`}>
                      <input type="hidden" name="id" value={p.id} />
                      <Link className="button secondary small" href={`/seller/products/${p.id}`}>
                        Edit
                      </Link>
                      {p.status !== "active" ? (
                        <SubmitButton className="button small" name="intent" value="publish" pendingLabel="…">
                          Publish
                        </SubmitButton>
                      ) : (
                        <SubmitButton className="button secondary small" name="intent" value="unpublish" pendingLabel="…">
                          Unpublish
                        </SubmitButton>
                      )}
                      {p.status !== "archived" ? (
                        <SubmitButton className="button danger small" name="intent" value="archive" pendingLabel="…">
                          Archive
                        </SubmitButton>
                      ) : null}
                    </ActionForm>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        {cursor ? <Link href={href({ cursor: undefined })}>← First page</Link> : <span />}
        {page.nextCursor ? (
          <Link className="button" href={href({ cursor: page.nextCursor })}>
            Next page →
          </Link>
        ) : null}
      </nav>
    </main>
  );
}
