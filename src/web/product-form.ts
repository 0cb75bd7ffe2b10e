import { minorUnitDigits, parseMajor } from "~/core/money";
import type { FormState } from "./forms";
import { MAX_PHOTOS_PER_PRODUCT } from "~/core/domain/photos/urls";

export const PRODUCT_FIELDS = ["title", "description", "price", "currency", "category", "images", "sku", "initialStock"] as const;

/** API input paths -> form field names, for field-level errors. */
export const PRODUCT_FIELD_NAMES: Record<string, string> = { priceMinor: "price", categorySlug: "category", initialStock: "initialStock" };
for (let i = 0; i < 20; i++) PRODUCT_FIELD_NAMES[`images.${i}`] = "images";
for (let i = 0; i < MAX_PHOTOS_PER_PRODUCT; i++) {
  PRODUCT_FIELD_NAMES[`photos.${i}.id`] = "photos";
  PRODUCT_FIELD_NAMES[`photos.${i}.alt`] = "photos";
}

export interface ParsedProductForm {
  title: string;
  description: string;
  priceMinor: number;
  currency: string;
  categorySlug: string | null;
  images: string[];
}

/**
 * Reads the product form (price typed in major units, images one URL per line). Problems the
 * API cannot see in its own input (a price that is not a number) are reported here by field.
 */
export function parseProductForm(values: Record<(typeof PRODUCT_FIELDS)[number], string>): { ok: true; value: ParsedProductForm } | { ok: false; state: FormState } {
  const currency = (values.currency || "EUR").toUpperCase();
  const fieldErrors: Record<string, string[]> = {};
  const priceText = values.price.replace(",", ".");
  let priceMinor = Number.NaN;
  if (!/^\d+(\.\d+)?$/.test(priceText)) fieldErrors.price = ["Enter a price such as 12.50."];
  else {
    const digits = minorUnitDigits(currency);
    const [, fraction = ""] = priceText.split(".");
    if (fraction.length > digits) fieldErrors.price = [`${currency} prices have at most ${digits} decimal places.`];
    priceMinor = parseMajor(priceText, currency);
  }
  if (Object.keys(fieldErrors).length > 0) {
    return { ok: false, state: { status: "error", message: "Please correct the highlighted fields.", fieldErrors, values } };
  }
  return {
    ok: true,
    value: {
      title: values.title,
      description: values.description,
      priceMinor,
      currency,
      categorySlug: values.category || null,
      images: values.images
        .split(/\s*\n\s*/)
        .map((line) => line.trim())
        .filter(Boolean),
    },
  };
}

/**
 * The photo picker's fields (photo-picker.tsx): photoId and photoAlt in display order, minus the
 * ids ticked "Remove" (the no-JavaScript way). Undefined when the form has no picker, so a save
 * from elsewhere never drops the photos.
 */
export function parsePhotoFields(formData: FormData): { id: string; alt: string }[] | undefined {
  if (formData.get("photosInForm") !== "1") return undefined;
  const text = (name: string) => formData.getAll(name).map((v) => (typeof v === "string" ? v : ""));
  const alts = text("photoAlt");
  const removed = new Set(text("photoRemove"));
  return text("photoId")
    .map((id, i) => ({ id, alt: (alts[i] ?? "").trim() }))
    .filter((photo) => !removed.has(photo.id));
}
