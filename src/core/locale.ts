import { singleLineText } from "./text";

/**
 * A person's locale: a BCP 47 tag ("en", "de-DE", "ru-RU") that decides how money and dates are
 * written for them (Intl). Stored on the User; "en" when nothing better is known.
 */
export const DEFAULT_LOCALE = "en";

/** The tag in its canonical form when Intl can format for it (or a fallback of it), else null. */
export function normalizeLocale(tag: string): string | null {
  let canonical: string;
  try {
    [canonical = ""] = Intl.getCanonicalLocales(tag);
  } catch {
    return null; // not well-formed BCP 47
  }
  if (!canonical) return null;
  return Intl.DateTimeFormat.supportedLocalesOf([canonical]).length > 0 && Intl.NumberFormat.supportedLocalesOf([canonical]).length > 0 ? canonical : null;
}

/** The locale to format with: the stored tag when still usable, else the default. */
export function formattingLocale(stored: string | null | undefined): string {
  return (stored && normalizeLocale(stored)) ?? DEFAULT_LOCALE;
}

/**
 * The most preferred usable locale of an HTTP Accept-Language header
 * ("ru-RU,ru;q=0.9,en-US;q=0.8" -> "ru-RU"), or null when it names none.
 */
export function localeFromAcceptLanguage(header: string | null | undefined): string | null {
  if (!header) return null;
  const ranked = header
    .split(",")
    .slice(0, 20)
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag !== "" && r.tag !== "*" && Number.isFinite(r.q) && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const locale = normalizeLocale(tag);
    if (locale) return locale;
  }
  return null;
}

/** Input schema for a locale tag; canonicalised, refused with a reason when Intl cannot use it. */
export const localeInput = singleLineText({ min: 2, max: 35 }).transform((tag, ctx) => {
  const locale = normalizeLocale(tag);
  if (!locale) {
    ctx.addIssue({ code: "custom", message: "must be a language tag such as en-GB, de-DE or ru-RU" });
    return tag;
  }
  return locale;
});
