import Link from "next/link";
import { formatMoney } from "~/lib/money";
import { api } from "~/trpc/server";

// The catalog changes as sellers publish: render per request, never at build time.
export const dynamic = "force-dynamic";

export default async function CatalogPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const { cursor } = await searchParams;
  let page;
  try {
    page = await api().catalog.list.query({ limit: 24, cursor: cursor ?? null });
  } catch {
    return (
      <main>
        <h1>Catalog</h1>
        <p className="notice error" role="alert">
          The catalog is unavailable right now. Please try again in a moment.
        </p>
      </main>
    );
  }
  return (
    <main>
      <h1>Catalog</h1>
      {page.items.length === 0 ? (
        <p className="notice">No products yet. Check back soon.</p>
      ) : (
        <ul className="grid" aria-label="Products">
          {page.items.map((product) => (
            <li key={product.id}>
              <article className="card">
                {/* Plain img: seller images are arbitrary external URLs the optimizer would need allow-listed. */}
                <img src={product.images[0] ?? "/placeholder.svg"} alt="" loading="lazy" />
                <div className="body">
                  <Link className="title" href={`/products/${product.id}`}>
                    {product.title}
                  </Link>
                  <span className="seller">{product.seller.shopName}</span>
                  <span className="price">{formatMoney(product.priceMinor, product.currency)}</span>
                </div>
              </article>
            </li>
          ))}
        </ul>
      )}
      <nav className="pager" aria-label="Pages">
        {cursor ? <Link href="/">First page</Link> : <span />}
        {page.nextCursor ? (
          <Link className="button" href={`/?cursor=${encodeURIComponent(page.nextCursor)}`}>
            Next page
          </Link>
        ) : null}
      </nav>
    </main>
  );
}
