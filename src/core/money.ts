/**
 * Money in Lavka: integer minor units beside an ISO 4217 currency, never floats.
 *
 * Representation (docs/api.md, "Money"): PostgreSQL stores every amount as BIGINT. Prisma reads
 * those as `bigint`; everywhere else (domain code, the API, outbox events, the payment gateway)
 * an amount is a plain `number`, converted once where it leaves the database (`minorNumbers`).
 * That is exact because the limits below keep amounts far below Number.MAX_SAFE_INTEGER
 * (9,007,199,254,740,991): even a cart that breaks them (100 lines x 999 units at the highest
 * price is 10^15) still adds up exactly, JSON numbers carry every amount without loss, and
 * event payloads keep their version-1 shape. Aggregates over many orders (sales figures) stay
 * BIGINT in the database; reports keep their sums as decimal strings.
 *
 * The limits are in minor units whatever the currency: 99,999,999.99 EUR per unit, or
 * 9,999,999,999 VND, IDR or KRW (Intl gives those no minor digits: the minor unit is the dong,
 * rupiah or won itself).
 */
export const MONEY_LIMITS = {
  /** A product's price: at least one minor unit (Lavka sells nothing for free), at most this. */
  unitPriceMinor: 9_999_999_999,
  /** Unit price x quantity of one cart or order line. */
  lineTotalMinor: 999_999_999_999,
  /** One order's total (one currency of a cart): what a buyer is charged at once. */
  orderTotalMinor: 9_999_999_999_999,
} as const;

/** Digits after the decimal point for a currency (EUR 2, JPY 0, KWD 3), from Intl's own tables; 2 for a malformed code. */
export function minorUnitDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** A BIGINT amount from the database as a number; throws rather than round one past 2^53. */
export function minorNumber(amountMinor: bigint | number): number {
  const value = Number(amountMinor);
  if (!Number.isSafeInteger(value)) throw new RangeError(`amount ${amountMinor} minor units is outside the safe integer range`);
  return value;
}

/** Minor units to a plain decimal string ("1234.50"), exact for any size. */
export function formatMinor(amountMinor: string | number | bigint, currency: string): string {
  const value = BigInt(amountMinor);
  const exponent = minorUnitDigits(currency);
  const sign = value < 0n ? "-" : "";
  const abs = value < 0n ? -value : value;
  if (exponent === 0) return `${sign}${abs}`;
  const scale = 10n ** BigInt(exponent);
  return `${sign}${abs / scale}.${(abs % scale).toString().padStart(exponent, "0")}`;
}

/**
 * Formats integer minor units, e.g. formatMoney(129900, "EUR", "de-DE") -> "1.299,00 €". Exact at
 * any size: Intl gets a decimal string, not a float that has lost the cents.
 */
export function formatMoney(amountMinor: number | bigint, currency: string, locale = "en-US"): string {
  const digits = minorUnitDigits(currency);
  const format = new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  return format.format(formatMinor(amountMinor, currency) as Intl.StringNumericLiteral);
}

/**
 * Short labels such as chart axes: formatMoneyCompact(129900, "EUR") -> "€1.3K". Rounded by
 * design, so a float is fine here, and so is an axis tick between two minor units.
 */
export function formatMoneyCompact(amountMinor: number, currency: string, locale = "en"): string {
  return new Intl.NumberFormat(locale, { notation: "compact", style: "currency", currency }).format(amountMinor / 10 ** minorUnitDigits(currency));
}

/** "999,999,999.99 EUR": an amount in the currency's own units, for messages about limits. */
export function formatAmount(amountMinor: number | bigint, currency: string): string {
  const digits = minorUnitDigits(currency);
  const format = new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${format.format(formatMinor(amountMinor, currency) as Intl.StringNumericLiteral)} ${currency}`;
}

/** An amount as a person types it, in the currency's own units ("12.5" EUR), in minor units (1250). */
export function parseMajor(amount: string, currency: string): number {
  return Math.round(Number(amount) * 10 ** minorUnitDigits(currency));
}

/** Why a product price cannot be saved ("must be at most 999,999,999.99 EUR"), or null when it can. */
export function unitPriceProblem(priceMinor: number, currency: string): string | null {
  if (priceMinor < 1) return `must be at least ${formatAmount(1, currency)}; Lavka does not sell free products`;
  if (priceMinor > MONEY_LIMITS.unitPriceMinor) return `must be at most ${formatAmount(MONEY_LIMITS.unitPriceMinor, currency)}`;
  return null;
}

/** A database row with its BIGINT amounts as numbers (see minorNumber). */
export type MinorNumbers<T> = T extends bigint
  ? number
  : T extends Date
    ? T
    : T extends readonly (infer U)[]
      ? MinorNumbers<U>[]
      : T extends object
        ? { [K in keyof T]: MinorNumbers<T[K]> }
        : T;

/**
 * A row read from the database with every bigint in it (its money columns) as an exact number:
 * the one conversion between Prisma's BIGINT values and the numbers the rest of Lavka uses. Only
 * for rows whose BIGINTs are amounts within MONEY_LIMITS, never for aggregates or sequence numbers.
 */
export function minorNumbers<T>(row: T): MinorNumbers<T> {
  if (typeof row === "bigint") return minorNumber(row) as MinorNumbers<T>;
  if (Array.isArray(row)) return row.map((item: unknown) => minorNumbers(item)) as MinorNumbers<T>;
  if (row !== null && typeof row === "object" && !(row instanceof Date)) {
    return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, minorNumbers(value)])) as MinorNumbers<T>;
  }
  return row as MinorNumbers<T>;
}
