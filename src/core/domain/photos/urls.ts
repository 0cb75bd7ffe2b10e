/**
 * Where a photo's stored copies are served, the srcset strings pages build from them, and the
 * limits forms show. Pure: the web imports this too. The path is also the object's storage key
 * (minus the leading "/"), and it names content that never changes, so it is cached for good.
 */
export const MAX_PHOTOS_PER_PRODUCT = 20;
export const PHOTO_ALT_MAX = 300;

export const PHOTO_FORMATS = ["avif", "webp"] as const;
export type PhotoFormat = (typeof PHOTO_FORMATS)[number];

export const PHOTO_CONTENT_TYPES: Record<PhotoFormat, string> = { avif: "image/avif", webp: "image/webp" };

/** What a page needs to show a photo. */
export interface PhotoView {
  id: string;
  alt: string;
  digest: string;
  /** Upright size of the original. */
  width: number;
  height: number;
  /** Widths of the stored copies, ascending. */
  widths: number[];
}

/** "/photos/<digest>/<width>.<format>"; the storage key is the same without the leading "/". */
export function photoPath(digest: string, width: number, format: PhotoFormat): string {
  return `/photos/${digest}/${width}.${format}`;
}

/** The served path of a stored object: digest (64 hex), width, format. Anything else is no photo. */
export const PHOTO_PATH = /^\/photos\/([0-9a-f]{64})\/([1-9][0-9]{0,3})\.(avif|webp)$/;

/** `<url> <width>w, ...` over every stored width, for <source>/<img> srcset. */
export function photoSrcSet(photo: Pick<PhotoView, "digest" | "widths">, format: PhotoFormat): string {
  return photo.widths.map((w) => `${photoPath(photo.digest, w, format)} ${w}w`).join(", ");
}

/** The copy closest to `width` from above (or the largest): the src for browsers that ignore srcset. */
export function photoSrc(photo: Pick<PhotoView, "digest" | "widths">, width: number, format: PhotoFormat = "webp"): string {
  const chosen = photo.widths.find((w) => w >= width) ?? photo.widths.at(-1)!;
  return photoPath(photo.digest, chosen, format);
}
