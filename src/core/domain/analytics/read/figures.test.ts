import { describe, expect, it } from "vitest";
import { averageOrderValueMinor, returningShare } from "./figures";

describe("derived sales figures", () => {
  it("average order value is revenue / orders rounded half up, exact past 2^53, null without orders", () => {
    expect(averageOrderValueMinor(1001n, 2)).toBe(501n);
    expect(averageOrderValueMinor(1000n, 3)).toBe(333n);
    expect(averageOrderValueMinor(5600n, 3)).toBe(1867n);
    expect(averageOrderValueMinor(2n ** 60n + 1n, 2)).toBe(2n ** 59n + 1n);
    expect(averageOrderValueMinor(0n, 0)).toBeNull();
  });

  it("returning share is a fraction of buyers, null without buyers", () => {
    expect(returningShare(1, 4)).toBe(0.25);
    expect(returningShare(0, 0)).toBeNull();
  });
});
