import { describe, expect, it } from "vitest";
import { formatAmount, formatMinor, formatMoney, MONEY_LIMITS, minorNumber, unitPriceProblem } from "./money";

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
