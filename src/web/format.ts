import { formatMoney } from "~/core/money";
import { normalizeLocale } from "~/core/locale";
import { webConfig } from "./config";
import { formatDay } from "./datetime";

/** Prices in the shop's locale with the product's own currency. */
export function money(amountMinor: number | bigint, currency: string): string {
  return formatMoney(amountMinor, currency, webConfig().SHOP_LOCALE);
}

/** A calendar day as the API counts days (UTC): sales figures, report periods, forecast days. */
export function date(value: Date | string): string {
  return formatDay(value, webConfig().SHOP_LOCALE);
}

/** Locales offered for the money and dates in a person's mail (any other valid tag still works). */
const MAIL_LOCALES = ["en", "en-GB", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "pl-PL", "ru-RU", "uk-UA"];

/** A sample amount and date as a locale writes them ("1.234,50 €", "2. Dezember 2026"). */
export function localeSample(tag: string, currency: string): { money: string; date: string } {
  const locale = normalizeLocale(tag) ?? "en";
  const sample = new Date(Date.UTC(new Date().getUTCFullYear(), 11, 2));
  return { money: formatMoney(123_450, currency, locale), date: new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(sample) };
}

/**
 * The choices for "prices and dates in emails", each named in its own language ("Deutsch
 * (Deutschland)", short enough for a phone); the person's current one is always there.
 */
export function mailLocaleOptions(current: string): { value: string; label: string }[] {
  const tags = [...new Set([...MAIL_LOCALES, normalizeLocale(current) ?? "en"])];
  return tags.map((tag) => {
    const name = new Intl.DisplayNames([tag], { type: "language" }).of(tag) ?? tag;
    return { value: tag, label: `${name.charAt(0).toLocaleUpperCase(tag)}${name.slice(1)}` };
  });
}
