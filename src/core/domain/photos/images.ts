import { createHash } from "node:crypto";
import sharp, { type Metadata, type Sharp } from "sharp";
import { DomainError } from "~/core/errors";
import { PHOTO_CONTENT_TYPES, PHOTO_FORMATS, photoPath, type PhotoFormat } from "./urls";

/**
 * Checking an uploaded image and deriving the copies pages show. The type comes from the bytes,
 * never from a name or a Content-Type; the pixel count is checked from the header before anything
 * is decoded (a small file can declare billions of pixels: a decompression bomb); what is stored
 * is re-encoded pixels only, so EXIF (camera, GPS position) and anything else embedded is gone.
 */
export type SourceFormat = "jpeg" | "png" | "webp" | "avif";

export interface PhotoLimits {
  maxBytes: number;
  maxPixels: number;
}

/**
 * Widths of the stored copies: thumbnails (160), cards (320, 640 on 2x screens), the product page
 * (640 on desktop, 960 on a 2x phone), 1280 only for the product page on 2x desktop and 3x phones.
 */
export const PHOTO_WIDTHS = [160, 320, 640, 960, 1280] as const;

const ENCODERS: Record<PhotoFormat, (image: Sharp) => Sharp> = {
  // effort 2 of 9: about a second for all sizes of a photo here, and still smaller than WebP.
  avif: (image) => image.avif({ quality: 50, effort: 2 }),
  webp: (image) => image.webp({ quality: 78 }),
};

/** Part of every digest: copies made with other settings get other keys, so a cached URL never changes meaning. */
const DERIVATION = `v1:${PHOTO_WIDTHS.join(",")}:avif-q50-e2:webp-q78`;

const FIELD = "photo";
const invalid = (problem: string, reason: string) => new DomainError("invalid", problem, { field: FIELD, reason });

/** The format the bytes are, by their signature; null for anything else (HEIC, GIF, SVG, PDF, text ...). */
export function sniffFormat(bytes: Uint8Array): SourceFormat | null {
  const ascii = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString("latin1");
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (ascii(0, 8) === "\x89PNG\r\n\x1a\n") return "png";
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  // ISO-BMFF: a first box "ftyp" whose major or compatible brands include avif/avis (HEIC has only heic/mif1).
  if (ascii(4, 8) === "ftyp") {
    const size = Buffer.from(bytes.subarray(0, 4)).readUInt32BE(0);
    const brands = ascii(8, Math.min(size, bytes.length, 64));
    if (/avi[fs]/.test(brands)) return "avif";
  }
  return null;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(bytes < 10_000_000 ? 1 : 0)} MB`;
}

export interface CheckedImage {
  format: SourceFormat;
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
}

/** Throws DomainError "invalid" on field "photo" with the problem in words; never decodes more than the header. */
export async function checkImage(bytes: Buffer, limits: PhotoLimits): Promise<CheckedImage> {
  if (bytes.length === 0) throw invalid("the file is empty.", "empty");
  if (bytes.length > limits.maxBytes) throw invalid(`the file is ${megabytes(bytes.length)}; photos may be at most ${megabytes(limits.maxBytes)}.`, "too_large");
  const format = sniffFormat(bytes);
  if (!format) throw invalid("the file is not a JPEG, PNG, WebP or AVIF image.", "not_an_image");
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw invalid(`the file starts like a ${format.toUpperCase()} image but cannot be read; it may be damaged.`, "unreadable");
  }
  // sharp reports AVIF as "heif" (the container), with the AV1 compression named separately.
  const decoded = meta.format === "heif" ? (meta.compression === "av1" ? "avif" : "heif") : meta.format;
  if (decoded !== format || !meta.width || !meta.height) {
    throw invalid(`the file starts like a ${format.toUpperCase()} image but cannot be read; it may be damaged.`, "unreadable");
  }
  const pixels = meta.width * meta.height;
  if (pixels > limits.maxPixels) {
    throw invalid(
      `the image is ${meta.width.toLocaleString("en-US")} × ${meta.height.toLocaleString("en-US")} pixels; at most ${Math.floor(limits.maxPixels / 1_000_000)} megapixels are accepted.`,
      "too_many_pixels",
    );
  }
  const sideways = (meta.orientation ?? 1) >= 5;
  return { format, width: sideways ? meta.height : meta.width, height: sideways ? meta.width : meta.height };
}

export interface DerivedFile {
  key: string;
  body: Buffer;
  contentType: string;
}

export interface DerivedPhoto {
  digest: string;
  widths: number[];
  files: DerivedFile[];
}

/** The stored widths for an image `width` pixels wide: the standard ones below it, then its own width capped at the largest. */
export function widthsFor(width: number): number[] {
  const largest = Math.min(width, PHOTO_WIDTHS.at(-1)!);
  return [...PHOTO_WIDTHS.filter((w) => w < largest), largest];
}

/**
 * Encodes every width in every format, each from the upload through libvips' streaming pipeline
 * (JPEGs shrink while they decode), so a 50-megapixel photo never sits in memory as raw pixels.
 * The pixel limit holds while decoding too.
 */
export async function derivePhoto(bytes: Buffer, image: CheckedImage, limits: PhotoLimits): Promise<DerivedPhoto> {
  const digest = createHash("sha256").update(DERIVATION).update(bytes).digest("hex");
  // rotate(): apply the EXIF orientation to the pixels (the EXIF itself is not carried over).
  const upright = sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: "error", sequentialRead: true }).rotate();
  const widths = widthsFor(image.width);
  try {
    const files: DerivedFile[] = [];
    // One copy at a time: the encoders use every core already, and memory stays at one pipeline's.
    for (const width of widths) {
      for (const format of PHOTO_FORMATS) {
        const body = await ENCODERS[format](upright.clone().resize({ width })).toBuffer();
        files.push({ key: photoPath(digest, width, format).slice(1), body, contentType: PHOTO_CONTENT_TYPES[format] });
      }
    }
    return { digest, widths, files };
  } catch {
    throw invalid(`the ${image.format.toUpperCase()} image cannot be decoded; it may be damaged or cut short.`, "unreadable");
  }
}
