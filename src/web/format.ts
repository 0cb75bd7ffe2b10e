import { formatMoney } from "~/core/money";
import { webConfig } from "./config";

/** Prices in the shop's locale with the product's own currency. */
export function money(amountMinor: number | bigint, currency: string): string {
  return formatMoney(amountMinor, currency, webConfig().SHOP_LOCALE);
}

export function dateTime(value: Date | string): string {
  return new Intl.DateTimeFormat(webConfig().SHOP_LOCALE, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(value)) + " UTC";
}

export function date(value: Date | string): string {
  return new Intl.DateTimeFormat(webConfig().SHOP_LOCALE, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(value));
}

/** "pending_payment" -> "Pending payment". */
export function humanize(value: string): string {
  const text = value.replace(/[_-]+/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function duration(ms: number | null | undefined): string {
  if (ms == null) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
