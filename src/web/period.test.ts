import { describe, expect, it } from "vitest";
import { chartDays, periodEndingNow } from "./period";

describe("dashboard periods", () => {
  const now = new Date("2026-12-01T15:40:00Z");

  it("charts complete days only, today apart, against as many days before them", () => {
    const { current, previous, today } = chartDays(7, now);
    expect(today).toEqual(new Date("2026-12-01T00:00:00Z"));
    expect(current).toEqual({ from: new Date("2026-11-24T00:00:00Z"), to: new Date("2026-12-02T00:00:00Z") });
    expect(previous).toEqual({ from: new Date("2026-11-17T00:00:00Z"), to: new Date("2026-11-24T00:00:00Z") });
  });

  it("sums the last days up to the current hour", () => {
    expect(periodEndingNow(7, now)).toEqual({ from: new Date("2026-11-24T16:00:00Z"), to: new Date("2026-12-01T16:00:00Z") });
  });
});
