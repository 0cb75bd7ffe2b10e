import { formatMoney } from "~/core/money";
import { formattingLocale } from "~/core/locale";

/** Money, dates and countries written for one reader's locale (Intl; full ICU in Node 24). */
export interface MailFormat {
  locale: string;
  money(amountMinor: number, currency: string): string;
  /** Date and time in UTC, said so: the reader's time zone is not known. */
  dateTime(at: Date | string): string;
  /** An ISO 3166 country code as the reader's language names it ("DE" -> "Germany", "Германия"). */
  country(code: string): string;
}

export function mailFormat(storedLocale: string | null | undefined): MailFormat {
  const locale = formattingLocale(storedLocale);
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short", timeZone: "UTC" });
  const regions = new Intl.DisplayNames(locale, { type: "region", fallback: "code" });
  return {
    locale,
    money: (amountMinor, currency) => formatMoney(amountMinor, currency, locale),
    dateTime: (at) => `${dates.format(new Date(at))} UTC`,
    country: (code) => {
      try {
        return regions.of(code.toUpperCase()) ?? code;
      } catch {
        return code;
      }
    },
  };
}
