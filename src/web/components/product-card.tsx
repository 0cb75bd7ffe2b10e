import Link from "next/link";
import type { PhotoView } from "~/core/domain/photos/urls";
import { money } from "../format";
import { IMAGE_SIZES, ProductImage } from "./product-image";

interface CardProduct {
  id: string;
  title: string;
  priceMinor: number;
  currency: string;
  images: string[];
  photos: PhotoView[];
  seller: { shopName: string };
  category?: { name: string } | null;
}

/** One product in a grid; the whole card is the link (the title's ::after covers it). */
export function ProductCard({ product, eager = false, priority = false }: { product: CardProduct; eager?: boolean; priority?: boolean }) {
  return (
    <article className="card">
      {/* Decorative: the title next to it names the product. */}
      <ProductImage product={product} sizes={IMAGE_SIZES.card} alt="" eager={eager} priority={priority} />
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

/** The first card's image is the page's largest paint (LCP): fetched first; the first row loads with the page. */
export function ProductGrid({ products, label, eagerCount = 4 }: { products: CardProduct[]; label: string; eagerCount?: number }) {
  return (
    <ul className="grid" aria-label={label}>
      {products.map((product, i) => (
        <li key={product.id}>
          <ProductCard product={product} eager={i < eagerCount} priority={i === 0} />
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
