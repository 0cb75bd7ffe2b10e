/**
 * How dates and times read everywhere, on the server and in the live client components alike
 * (the same inputs give the same text, so hydration matches): one date style ("Dec 1, 2026"),
 * one date-and-time style ("Dec 1, 2026, 3:05 AM"), instants in the viewer's time zone.
 */

/** The browser writes its IANA time zone here (the root layout's script); the server reads it. */
export const TIME_ZONE_COOKIE = "lavka_tz";

/** Sets the time-zone cookie when it is missing or the browser's zone changed (travel, settings). */
export const TIME_ZONE_SCRIPT = `try{var z=Intl.DateTimeFormat().resolvedOptions().timeZone;if(z&&document.cookie.split("; ").indexOf("${TIME_ZONE_COOKIE}="+z)<0)document.cookie="${TIME_ZONE_COOKIE}="+z+";path=/;max-age=31536000;samesite=lax"}catch(e){}`;

/** The shop's locale and the zone instants are shown in. */
export interface TimeFormat {
  locale: string;
  timeZone: string;
}

/** Whether this runtime knows the zone: the cookie is the browser's word, so it is checked. */
export function isTimeZone(value: string): boolean {
  if (value.length === 0 || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Until the browser has told its zone, instants are shown in UTC and say so. */
function zoneNote(format: TimeFormat): string {
  return format.timeZone === "UTC" ? " UTC" : "";
}

/** "Dec 1, 2026, 3:05 AM": an instant in the viewer's time zone. */
export function formatDateTime(value: Date | string, format: TimeFormat): string {
  const text = new Intl.DateTimeFormat(format.locale, { dateStyle: "medium", timeStyle: "short", timeZone: format.timeZone }).format(new Date(value));
  return text + zoneNote(format);
}

/** "Dec 1, 2026": the day an instant falls on in the viewer's time zone (when an account was opened). */
export function formatDate(value: Date | string, format: TimeFormat): string {
  return new Intl.DateTimeFormat(format.locale, { dateStyle: "medium", timeZone: format.timeZone }).format(new Date(value));
}

/**
 * "Dec 1, 2026": a calendar day as the API counts days, in UTC (a day of sales figures, a report
 * period, a forecast day). Shown as that day wherever the viewer is, never shifted by a zone.
 */
export function formatDay(value: Date | string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(value));
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
