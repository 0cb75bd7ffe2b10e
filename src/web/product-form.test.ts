import { describe, expect, it } from "vitest";
import { parsePhotoFields, parseProductForm } from "./product-form";

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

describe("parsePhotoFields", () => {
  const form = (entries: [string, string][]) => {
    const data = new FormData();
    for (const [k, v] of entries) data.append(k, v);
    return data;
  };

  it("lists the photos in the form's order with trimmed alt texts, minus those ticked for removal", () => {
    const data = form([["photosInForm", "1"], ["photoId", "b"], ["photoAlt", " Front "], ["photoId", "a"], ["photoAlt", "Side"], ["photoId", "c"], ["photoAlt", ""], ["photoRemove", "a"]]);
    expect(parsePhotoFields(data)).toEqual([{ id: "b", alt: "Front" }, { id: "c", alt: "" }]);
  });

  it("is empty when the form has the picker and no photos (all removed), and undefined without the picker", () => {
    expect(parsePhotoFields(form([["photosInForm", "1"]]))).toEqual([]);
    expect(parsePhotoFields(form([["photoId", "a"]]))).toBeUndefined();
  });
});
