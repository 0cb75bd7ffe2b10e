import { describe, expect, it } from "vitest";
import { catalogHref, categoryTree, effectiveSort, majorToMinor, parseCatalogQuery } from "./catalog-query";

describe("catalog URL state", () => {
  it("round-trips filters through the URL", () => {
    const query = parseCatalogQuery({ q: " mug ", category: "kitchen", min: "5", max: "12,50", sort: "price_asc", inStock: "1" });
    expect(query).toEqual({ q: "mug", category: "kitchen", min: "5", max: "12.50", sort: "price_asc", inStock: true, cursor: undefined });
    expect(catalogHref(query)).toBe("/catalog?q=mug&category=kitchen&min=5&max=12.50&sort=price_asc&inStock=1");
  });

  it("drops values it cannot use instead of failing the page", () => {
    expect(parseCatalogQuery({ min: "-3", max: "lots", sort: "random" })).toEqual({
      q: undefined, category: undefined, min: undefined, max: undefined, sort: undefined, inStock: undefined, cursor: undefined,
    });
  });

  it("keeps filters when paging and goes back to page one when a filter changes", () => {
    const query = parseCatalogQuery({ q: "tea", cursor: "abc" });
    expect(catalogHref(query, { cursor: "def" })).toBe("/catalog?q=tea&cursor=def");
    expect(catalogHref(query, { sort: "newest" })).toBe("/catalog?q=tea&sort=newest");
  });

  it("sorts by relevance only when there is a search term", () => {
    expect(effectiveSort({ q: "tea" })).toBe("relevance");
    expect(effectiveSort({ sort: "relevance" })).toBe("newest");
    expect(effectiveSort({})).toBe("newest");
  });

  it("converts typed prices to minor units of the currency", () => {
    expect(majorToMinor("12.5", "EUR")).toBe(1250);
    expect(majorToMinor("300", "JPY")).toBe(300);
    expect(majorToMinor(undefined, "EUR")).toBeUndefined();
  });
});

describe("categoryTree", () => {
  it("puts each parent before its children", () => {
    const rows = [
      { id: "b", slug: "mugs", name: "Mugs", parentId: "a", activeProducts: 2 },
      { id: "a", slug: "kitchen", name: "Kitchen", parentId: null, activeProducts: 5 },
      { id: "c", slug: "garden", name: "Garden", parentId: null, activeProducts: 1 },
    ];
    expect(categoryTree(rows).map((c) => `${c.depth}:${c.slug}`)).toEqual(["0:kitchen", "1:mugs", "0:garden"]);
  });
});
