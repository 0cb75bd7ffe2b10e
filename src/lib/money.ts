/** Minor units per major unit for a currency (JPY 1, EUR 100, KWD 1000), from Intl's own tables. */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Formats integer minor units, e.g. formatMoney(129900, "EUR", "de-DE") -> "1.299,00 €". */
export function formatMoney(amountMinor: number | bigint, currency: string, locale = "en-US"): string {
  const digits = minorUnitDigits(currency);
  const major = Number(amountMinor) / 10 ** digits;
  return new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(major);
}
