import { describe, expect, it } from "vitest";
import { Rng } from "../../../../scripts/db/seed-data";
import { planReorders } from "./demand";
import { accuracy, addErrors, emptyErrors, forecastDemand, seasonalNaive } from "./forecast-model";

function poisson(rng: Rng, lambda: number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng.next();
  } while (p > l);
  return k - 1;
}

/** Daily demand with a weekly pattern, a trend and Poisson noise. */
function series(rng: Rng, days: number, base: number): number[] {
  const weekly = [1.25, 1.1, 1, 0.95, 0.9, 0.8, 1.0];
  const slope = (rng.next() - 0.3) * 0.004;
  return Array.from({ length: days }, (_, t) => poisson(rng, base * weekly[t % 7]! * Math.max(0.2, 1 + slope * t)));
}

describe("forecast model", () => {
  it("beats seasonal-naive on held-out weeks, daily and weekly", () => {
    const rng = new Rng(11);
    const data = Array.from({ length: 60 }, () => series(rng, 154, 2 + rng.next() * 30));
    for (const bucket of [1, 7]) {
      const model = emptyErrors();
      const naive = emptyErrors();
      for (const y of data) {
        const train = y.slice(0, -28);
        const actual = y.slice(-28);
        addErrors(model, actual, forecastDemand(train, 28).mean, bucket);
        addErrors(naive, actual, seasonalNaive(train, 28), bucket);
      }
      const m = accuracy(model);
      const n = accuracy(naive);
      expect(m.smape).toBeLessThan(n.smape);
      expect(m.mape).toBeLessThan(n.mape);
      expect(m.wape).toBeLessThan(n.wape);
    }
  });

  it("gives 90% intervals that cover about 90% of the outcomes", () => {
    const rng = new Rng(5);
    let inside = 0;
    let total = 0;
    for (let i = 0; i < 80; i++) {
      const y = series(rng, 126, 5 + rng.next() * 20);
      const f = forecastDemand(y.slice(0, -14), 14);
      expect(f.model).toBe("holt-winters");
      y.slice(-14).forEach((a, h) => {
        if (a >= f.lower[h]! && a <= f.upper[h]!) inside++;
        total++;
      });
      f.mean.forEach((m, h) => expect(f.lower[h]! <= m && m <= f.upper[h]!).toBe(true));
    }
    expect(inside / total).toBeGreaterThan(0.8);
    expect(inside / total).toBeLessThan(0.99);
  });

  it("falls back to the recent mean for short or sparse histories", () => {
    expect(forecastDemand([3, 4, 5, 4, 3, 4, 5, 4, 3, 4], 7).model).toBe("mean");
    const f = forecastDemand([0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], 3);
    expect(f.model).toBe("mean");
    expect(f.mean[0]).toBeCloseTo(5 / 30);
    // Long but slow-selling: the mean of the last eight weeks.
    const slow = Array.from({ length: 70 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    expect(forecastDemand(slow, 2).model).toBe("mean");
    expect(forecastDemand([], 2)).toEqual({ model: "mean", mean: [0, 0], lower: [0, 0], upper: [0, 0] });
  });
});

describe("planReorders", () => {
  const day = (d: number) => new Date(Date.UTC(2026, 0, 1 + d));
  const forecasts = [
    ...Array.from({ length: 10 }, (_, d) => ({ productId: "a", day: day(d), mean: 10, upper: 15 })),
    ...Array.from({ length: 10 }, (_, d) => ({ productId: "b", day: day(d), mean: 1, upper: 2 })),
    ...Array.from({ length: 10 }, (_, d) => ({ productId: "c", day: day(d), mean: 5, upper: 8 })),
  ];

  it("lists products whose stock does not cover the lead time, most urgent first", () => {
    const stock = new Map([["a", 25], ["b", 100], ["c", 22]]);
    const list = planReorders(forecasts, stock, { asOf: day(0), leadTimeDays: 5 });
    expect(list.map((r) => r.productId)).toEqual(["a", "c"]);
    expect(list[0]).toMatchObject({ onHand: 25, leadTimeDemand: 50, daysOfCover: 2 });
    expect(list[0]!.leadTimeDemandUpper).toBeGreaterThan(50);
    expect(list[0]!.leadTimeDemandUpper).toBeLessThan(75);
    expect(list[0]!.suggestedQuantity).toBe(Math.ceil(list[0]!.leadTimeDemandUpper - 25));
  });

  it("ignores products without a stock figure and days before asOf", () => {
    expect(planReorders(forecasts, new Map([["b", 0]]), { asOf: day(8), leadTimeDays: 5 })).toEqual([
      expect.objectContaining({ productId: "b", leadTimeDemand: 2, daysOfCover: 0 }),
    ]);
  });
});
