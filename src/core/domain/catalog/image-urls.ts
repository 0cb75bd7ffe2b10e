import { singleLineText } from "~/core/text";

/**
 * Where a product's images may live. Buyers' browsers load them straight from the URL (a plain
 * <img>; the web's CSP allows `img-src https:`), so only https is accepted: javascript:, data:,
 * http:, file: and the rest are refused. When uploads exist, their own image URLs are accepted
 * here too, and nowhere else.
 */
export function isAllowedImageUrl(url: string): boolean {
  if (!/^https:\/\//i.test(url) || !URL.canParse(url)) return false;
  return new URL(url).hostname !== "";
}

export const productImageUrl = singleLineText({ max: 2_000 }).refine(isAllowedImageUrl, "must be an https:// URL of an image");
