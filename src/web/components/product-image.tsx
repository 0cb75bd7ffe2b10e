import { photoSrc, photoSrcSet, type PhotoView } from "~/core/domain/photos/urls";

/**
 * `sizes` for each place a product image appears, from the layout in globals.css: what width the
 * image takes at each screen width, so the browser picks the smallest copy that is sharp there
 * (a phone never fetches the desktop copy).
 */
export const IMAGE_SIZES = {
  /** Grid cards: 2 columns up to 480 px, 2-3 up to 800 px, about 240 px wide above. */
  card: "(max-width: 480px) 50vw, (max-width: 800px) 45vw, 240px",
  /** The product page's main image: the full width up to 800 px, about 600 px above. */
  main: "(max-width: 800px) 100vw, 600px",
  /** Small thumbnails: the product page's strip, the cart, the seller's list and form. */
  thumb: "80px",
} as const;

interface ImageProduct {
  photos: PhotoView[];
  /** Linked https image URLs (the older way; shown only when there is no uploaded photo). */
  images: string[];
}

interface Options {
  sizes: string;
  alt: string;
  className?: string;
  /** The page's largest image (LCP): fetched first, never lazily. */
  priority?: boolean;
  /** Loaded with the page rather than when scrolled near. */
  eager?: boolean;
}

/** An uploaded photo: AVIF where the browser takes it, WebP otherwise, each at the width `sizes` asks for. */
export function Photo({ photo, sizes, alt, className, priority, eager }: Options & { photo: PhotoView }) {
  return (
    <picture>
      <source type="image/avif" srcSet={photoSrcSet(photo, "avif")} sizes={sizes} />
      <img
        className={className}
        src={photoSrc(photo, 640)}
        srcSet={photoSrcSet(photo, "webp")}
        sizes={sizes}
        alt={alt}
        width={photo.width}
        height={photo.height}
        loading={priority || eager ? "eager" : "lazy"}
        fetchPriority={priority ? "high" : undefined}
        decoding={priority ? undefined : "async"}
      />
    </picture>
  );
}

/** A product's main image: its first photo, else its first linked image, else the placeholder. */
export function ProductImage({ product, ...options }: Options & { product: ImageProduct }) {
  const photo = product.photos[0];
  if (photo) return <Photo photo={photo} {...options} />;
  return (
    <img
      className={options.className}
      src={product.images[0] ?? "/placeholder.svg"}
      alt={options.alt}
      width={400}
      height={300}
      loading={options.priority || options.eager ? "eager" : "lazy"}
      fetchPriority={options.priority ? "high" : undefined}
    />
  );
}
