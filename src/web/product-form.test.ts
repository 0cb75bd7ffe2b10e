import { describe, expect, it } from "vitest";
import { parseProductForm } from "./product-form";

const base = { title: "Mug", description: "", price: "12.50", currency: "EUR", category: "", images: "", sku: "", initialStock: "" };

describe("parseProductForm", () => {
  it("turns the typed price into minor units and images into a list", () => {
    const parsed = parseProductForm({ ...base, price: "12,5", images: "https://a.test/1.jpg\n\n  https://a.test/2.jpg  " });
    expect(parsed).toEqual({
      ok: true,
      value: { title: "Mug", description: "", priceMinor: 1250, currency: "EUR", categorySlug: null, images: ["https://a.test/1.jpg", "https://a.test/2.jpg"] },
    });
  });

  it("names the price field when the price is not a number or too precise", () => {
    const bad = parseProductForm({ ...base, price: "ten" });
    expect(bad.ok ? null : bad.state.fieldErrors).toEqual({ price: ["Enter a price such as 12.50."] });
    const precise = parseProductForm({ ...base, price: "1.5", currency: "JPY" });
    expect(precise.ok ? null : precise.state.fieldErrors?.price).toEqual(["JPY prices have at most 0 decimal places."]);
  });
});
