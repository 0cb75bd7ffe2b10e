import "server-only";
import { cookies } from "next/headers";
import { cache } from "react";
import { webConfig } from "./config";
import { TIME_ZONE_COOKIE, formatDate, formatDateTime, isTimeZone, type TimeFormat } from "./datetime";

/**
 * The viewer's time format: the shop's locale, and the time zone the browser reported in its
 * cookie (UTC, said as such, until it has). Once per request.
 */
export const viewerTime = cache(async () => {
  const zone = (await cookies()).get(TIME_ZONE_COOKIE)?.value ?? "";
  const format: TimeFormat = { locale: webConfig().SHOP_LOCALE, timeZone: isTimeZone(zone) ? zone : "UTC" };
  return {
    format,
    /** An instant: "Dec 1, 2026, 3:05 AM". */
    dateTime: (value: Date | string) => formatDateTime(value, format),
    /** The day an instant falls on: "Dec 1, 2026". */
    date: (value: Date | string) => formatDate(value, format),
  };
});
