import { describe, expect, it } from "vitest";
import { niceMax } from "./charts";

describe("niceMax", () => {
  it("rounds the axis up to four round steps", () => {
    expect(niceMax(97)).toEqual({ top: 100, step: 25 });
    expect(niceMax(1234)).toEqual({ top: 2000, step: 500 });
    expect(niceMax(3)).toEqual({ top: 4, step: 1 });
  });

  it("keeps whole-number steps for counts", () => {
    expect(niceMax(1, true)).toEqual({ top: 4, step: 1 });
    expect(niceMax(9, true)).toEqual({ top: 12, step: 3 });
  });

  it("copes with an empty or all-zero series", () => {
    expect(niceMax(0)).toEqual({ top: 1, step: 0.25 });
  });
});
