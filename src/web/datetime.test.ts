import { describe, expect, it } from "vitest";
import { TIME_ZONE_COOKIE, TIME_ZONE_SCRIPT, formatDate, formatDateTime, formatDay, isTimeZone } from "./datetime";

describe("dates and times", () => {
  const instant = "2026-12-01T23:30:00Z";

  it("shows an instant in the viewer's time zone, one format everywhere", () => {
    expect(formatDateTime(instant, { locale: "en-US", timeZone: "Europe/Berlin" })).toBe("Dec 2, 2026, 12:30 AM");
    expect(formatDateTime(instant, { locale: "en-US", timeZone: "America/New_York" })).toBe("Dec 1, 2026, 6:30 PM");
    expect(formatDate(instant, { locale: "en-US", timeZone: "Asia/Tokyo" })).toBe("Dec 2, 2026");
  });

  it("says UTC while the browser has not told its zone", () => {
    expect(formatDateTime(instant, { locale: "en-US", timeZone: "UTC" })).toBe("Dec 1, 2026, 11:30 PM UTC");
  });

  it("keeps a day of figures as that day wherever the viewer is", () => {
    expect(formatDay("2026-12-01T00:00:00Z", "en-US")).toBe("Dec 1, 2026");
    expect(formatDay("2026-12-01", "en-US")).toBe("Dec 1, 2026");
  });

  it("trusts only zone names the runtime knows", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Etc/GMT+5")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(isTimeZone("")).toBe(false);
    expect(isTimeZone("x".repeat(100))).toBe(false);
  });

  it("has the browser write its zone into the cookie the server reads", () => {
    const jar: string[] = [];
    const document = {
      get cookie() {
        return jar.join("; ");
      },
      set cookie(value: string) {
        jar.push(value.split(";")[0]!);
      },
    };
    new Function("document", "Intl", TIME_ZONE_SCRIPT)(document, { DateTimeFormat: () => ({ resolvedOptions: () => ({ timeZone: "Asia/Tokyo" }) }) });
    expect(jar).toEqual([`${TIME_ZONE_COOKIE}=Asia/Tokyo`]);
    // Already there: not written again on every page.
    new Function("document", "Intl", TIME_ZONE_SCRIPT)(document, { DateTimeFormat: () => ({ resolvedOptions: () => ({ timeZone: "Asia/Tokyo" }) }) });
    expect(jar).toHaveLength(1);
  });
});
