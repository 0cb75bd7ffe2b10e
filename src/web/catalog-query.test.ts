import { describe, expect, it } from "vitest";
import { BACK_LIMIT, catalogHref, categoryTree, effectiveSort, majorToMinor, nextPageHref, parseCatalogQuery, previousPageHref, priceRangeProblem } from "./catalog-query";

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
    expect(nextPageHref(query, "def")).toBe("/catalog?q=tea&cursor=def&back=abc&page=3");
    expect(catalogHref(query, { sort: "newest" })).toBe("/catalog?q=tea&sort=newest");
  });

  it("walks forward page by page and back again, keeping the filters", () => {
    const first = parseCatalogQuery({ q: "tea" });
    expect(previousPageHref(first)).toBeNull();
    const second = nextPageHref(first, "c2");
    expect(second).toBe("/catalog?q=tea&cursor=c2&page=2");
    const page2 = parseCatalogQuery(Object.fromEntries(new URL(second, "http://x").searchParams));
    expect(page2).toMatchObject({ cursor: "c2", back: [], page: 2 });
    const third = nextPageHref(page2, "c3");
    expect(third).toBe("/catalog?q=tea&cursor=c3&back=c2&page=3");
    const page3 = parseCatalogQuery(Object.fromEntries(new URL(third, "http://x").searchParams));
    expect(previousPageHref(page3)).toBe("/catalog?q=tea&cursor=c2&page=2");
    expect(previousPageHref(page2)).toBe("/catalog?q=tea");
    // A filter change starts over at page one.
    expect(catalogHref(page3, { sort: "price_asc" })).toBe("/catalog?q=tea&sort=price_asc");
  });

  it("remembers a bounded number of pages back; beyond them only the first page is offered", () => {
    let query = parseCatalogQuery({});
    for (let i = 2; i <= BACK_LIMIT + 5; i += 1) query = parseCatalogQuery(Object.fromEntries(new URL(nextPageHref(query, `c${i}`), "http://x").searchParams));
    expect(query.page).toBe(BACK_LIMIT + 5);
    expect(query.back).toHaveLength(BACK_LIMIT);
    let steps = 0;
    for (let href = previousPageHref(query); href; href = previousPageHref(query)) {
      query = parseCatalogQuery(Object.fromEntries(new URL(href, "http://x").searchParams));
      steps += 1;
    }
    expect(steps).toBe(BACK_LIMIT);
    expect(query.page).toBe(5);
  });

  it("ignores a crafted page number below what the way back implies, and cursors that are not ours", () => {
    expect(parseCatalogQuery({ cursor: "c4", back: "c2~c3", page: "1" })).toMatchObject({ page: 4 });
    expect(parseCatalogQuery({ cursor: "c4", back: "c2~<script>~c3" }).back).toEqual(["c2", "c3"]);
    expect(parseCatalogQuery({ cursor: "not a cursor!" }).cursor).toBeUndefined();
  });

  it("says in words when the highest price is below the lowest", () => {
    expect(priceRangeProblem(parseCatalogQuery({ min: "50", max: "10" }))).toBe("The highest price must not be below the lowest.");
    expect(priceRangeProblem(parseCatalogQuery({ min: "10", max: "10" }))).toBeNull();
    expect(priceRangeProblem(parseCatalogQuery({ min: "10" }))).toBeNull();
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
