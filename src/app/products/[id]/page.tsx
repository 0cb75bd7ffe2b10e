import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { api } from "~/web/trpc/server";
import { AvailabilityBadge } from "~/web/components/availability";
import { ActionForm, Field, SubmitButton } from "~/web/components/form";
import { addToCartAction } from "../../cart/actions";
import { money } from "~/web/format";
import { isNotFound } from "~/web/forms";
import { IMAGE_SIZES, Photo, ProductImage } from "~/web/components/product-image";
import { photoSrc } from "~/core/domain/photos/urls";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One fetch per request, shared by the metadata and the page. */
const loadProduct = cache(async (id: string) => {
  if (!UUID.test(id)) return null;
  try {
    return await (await api()).catalog.get.query({ id });
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const product = await loadProduct((await params).id);
  return { title: product?.title ?? "Product not found", description: product?.description.slice(0, 160) };
}

export default async function ProductPage({ params }: Props) {
  const product = await loadProduct((await params).id);
  if (!product) notFound();
  return (
    <main id="main">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <ol>
          <li>
            <Link href="/catalog">Catalog</Link>
          </li>
          {product.category ? (
            <li>
              <Link href={`/catalog?category=${encodeURIComponent(product.category.slug)}`}>{product.category.name}</Link>
            </li>
          ) : null}
          <li aria-current="page">{product.title}</li>
        </ol>
      </nav>
      <article className="product">
        <div className="gallery">
          {/* The first image is the page's largest paint: loaded eagerly with high priority. */}
          <ProductImage className="main-image" product={product} sizes={IMAGE_SIZES.main} alt={product.photos[0]?.alt || product.title} priority />
          {product.photos.length > 1 ? (
            <ul aria-label="More photos">
              {product.photos.slice(1).map((photo, i) => (
                <li key={photo.id}>
                  <a href={photoSrc(photo, 1280)}>
                    <Photo photo={photo} sizes={IMAGE_SIZES.thumb} alt={photo.alt || `${product.title}, photo ${i + 2}`} />
                  </a>
                </li>
              ))}
            </ul>
          ) : product.photos.length === 0 && product.images.length > 1 ? (
            <ul aria-label="More images">
              {product.images.slice(1).map((src, i) => (
                <li key={src}>
                  <a href={src}>
                    <img src={src} alt={`${product.title}, image ${i + 2}`} loading="lazy" width={80} height={64} />
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        <div className="buy-box">
          <h1>{product.title}</h1>
          <p className="muted">
            Sold by <strong>{product.seller.shopName}</strong>
          </p>
          <p className="price">{money(product.priceMinor, product.currency)}</p>
          <p data-testid="availability">
            <AvailabilityBadge availability={product.availability} />
          </p>
          {product.availability.status === "known" && product.availability.available <= 0 ? (
            <p className="muted">This product is sold out for now.</p>
          ) : (
            <ActionForm action={addToCartAction} label="Add to cart" className="form">
              <input type="hidden" name="productId" value={product.id} />
              <div className="inline-form">
                <Field name="quantity" label="Quantity" type="number" min={1} max={999} defaultValue={1} inputMode="numeric" />
                <SubmitButton className="button large" pendingLabel="Adding…">
                  Add to cart
                </SubmitButton>
              </div>
            </ActionForm>
          )}
          <section aria-labelledby="about-title">
            <h2 id="about-title">About this product</h2>
            <p className="description">{product.description || "The seller has not described this product yet."}</p>
            <p className="small muted">SKU {product.sku}</p>
          </section>
        </div>
      </article>
    </main>
  );
}
