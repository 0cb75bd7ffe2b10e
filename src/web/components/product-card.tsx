import Link from "next/link";
import { money } from "../format";

interface CardProduct {
  id: string;
  title: string;
  priceMinor: number;
  currency: string;
  images: string[];
  seller: { shopName: string };
  category?: { name: string } | null;
}

/** One product in a grid; the whole card is the link (the title's ::after covers it). */
export function ProductCard({ product, eager = false }: { product: CardProduct; eager?: boolean }) {
  return (
    <article className="card">
      {/* Plain img: seller images are arbitrary external URLs the optimizer would need allow-listed. */}
      <img src={product.images[0] ?? "/placeholder.svg"} alt="" loading={eager ? "eager" : "lazy"} width={400} height={300} />
      <div className="body">
        <Link className="title" href={`/products/${product.id}`}>
          {product.title}
        </Link>
        <span className="seller">by {product.seller.shopName}</span>
        {product.category ? <span className="category">{product.category.name}</span> : null}
        <span className="price">{money(product.priceMinor, product.currency)}</span>
      </div>
    </article>
  );
}

export function ProductGrid({ products, label, eagerCount = 4 }: { products: CardProduct[]; label: string; eagerCount?: number }) {
  return (
    <ul className="grid" aria-label={label}>
      {products.map((product, i) => (
        <li key={product.id}>
          <ProductCard product={product} eager={i < eagerCount} />
        </li>
      ))}
    </ul>
  );
}

export function GridSkeleton({ count = 8 }: { count?: number }) {
  return (
    <ul className="grid" aria-hidden="true">
      {Array.from({ length: count }, (_, i) => (
        <li key={i} className="skeleton card-ph" />
      ))}
    </ul>
  );
}
