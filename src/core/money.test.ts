import { describe, expect, it } from "vitest";
import { formatAmount, formatMinor, formatMoney, formatMoneyCompact, MONEY_LIMITS, minorNumber, parseMajor, unitPriceProblem } from "./money";

describe("money", () => {
  it("keeps every limit, and any cart that breaks them (100 lines x 999 units), within exact JSON numbers", () => {
    expect(MONEY_LIMITS.unitPriceMinor).toBeLessThanOrEqual(MONEY_LIMITS.lineTotalMinor);
    expect(MONEY_LIMITS.lineTotalMinor).toBeLessThanOrEqual(MONEY_LIMITS.orderTotalMinor);
    expect(Number.isSafeInteger(MONEY_LIMITS.unitPriceMinor * 999 * 100)).toBe(true);
  });

  it("formats minor units exactly, even where a float would lose the cents", () => {
    expect(formatMoney(129900, "EUR", "de-DE")).toBe("1.299,00\u00a0€");
    expect(formatMoney(9_007_199_254_740_991, "EUR")).toBe("€90,071,992,547,409.91");
    expect(formatMoney(3_000_000_000n, "VND")).toBe("₫3,000,000,000");
    expect(formatMoney(3_000_000_000, "IDR")).toBe("IDR\u00a03,000,000,000");
    expect(formatMinor(-5, "EUR")).toBe("-0.05");
    expect(formatMinor(1250, "EUR")).toBe("12.50"); // the seller's edit form
    expect(formatMinor(300, "JPY")).toBe("300");
    expect(formatAmount(MONEY_LIMITS.orderTotalMinor, "EUR")).toBe("99,999,999,999.99 EUR");
    expect(formatAmount(MONEY_LIMITS.unitPriceMinor, "KRW")).toBe("9,999,999,999 KRW");
    expect(formatAmount(1, "KWD")).toBe("0.001 KWD");
    expect(formatMoneyCompact(129900, "EUR")).toBe("€1.3K");
    expect(formatMoneyCompact(3_000_000_000, "VND")).toBe("₫3B");
    expect(formatMoneyCompact(0.25, "EUR")).toBe("€0.0025"); // an empty chart's axis ticks
  });

  it("reads an amount typed in the currency's own units", () => {
    expect(parseMajor("12.5", "EUR")).toBe(1250);
    expect(parseMajor("12.50", "EUR")).toBe(1250);
    expect(parseMajor("300", "JPY")).toBe(300);
    expect(parseMajor("0.001", "KWD")).toBe(1);
  });

  it("says why a price cannot be saved, in the currency's own units", () => {
    expect(unitPriceProblem(0, "EUR")).toBe("must be at least 0.01 EUR; Lavka does not sell free products");
    expect(unitPriceProblem(MONEY_LIMITS.unitPriceMinor + 1, "EUR")).toBe("must be at most 99,999,999.99 EUR");
    expect(unitPriceProblem(1, "EUR")).toBeNull();
    expect(unitPriceProblem(MONEY_LIMITS.unitPriceMinor, "VND")).toBeNull();
  });

  it("converts database BIGINTs to numbers only when exact", () => {
    expect(minorNumber(3_000_000_000n)).toBe(3_000_000_000);
    expect(() => minorNumber(2n ** 53n)).toThrow(RangeError);
  });
});
