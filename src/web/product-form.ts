import { minorUnitDigits, parseMajor } from "~/core/money";
import type { FormState } from "./forms";

export const PRODUCT_FIELDS = ["title", "description", "price", "currency", "category", "images", "sku", "initialStock"] as const;

/** API input paths -> form field names, for field-level errors. */
export const PRODUCT_FIELD_NAMES: Record<string, string> = { priceMinor: "price", categorySlug: "category", initialStock: "initialStock" };
for (let i = 0; i < 20; i++) PRODUCT_FIELD_NAMES[`images.${i}`] = "images";

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
