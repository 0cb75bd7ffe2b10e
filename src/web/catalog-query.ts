import { parseMajor } from "~/core/money";

/** Catalog filters as they appear in the URL, so a filtered page can be bookmarked and shared. */
export interface CatalogQuery {
  q?: string;
  category?: string;
  /** Major units in the shop currency, as typed ("12.50"). */
  min?: string;
  max?: string;
  sort?: CatalogSort;
  inStock?: boolean;
  /** Where this page starts (keyset cursors run forwards only). */
  cursor?: string;
  /** The cursors of the pages before this one after the first, oldest first: the way back. */
  back?: string[];
  /** This page's number, 1 for the first. */
  page?: number;
}

/** Pages remembered for "Previous page"; further back the first page is still one click away. */
export const BACK_LIMIT = 30;
const CURSOR = /^[A-Za-z0-9_-]{1,512}$/;

export const CATALOG_SORTS = [
  { value: "relevance", label: "Best match" },
  { value: "newest", label: "Newest" },
  { value: "price_asc", label: "Price: low to high" },
  { value: "price_desc", label: "Price: high to low" },
] as const;
export type CatalogSort = (typeof CATALOG_SORTS)[number]["value"];

type SearchParams = Record<string, string | string[] | undefined>;

function one(params: SearchParams, key: string, max = 200): string | undefined {
  const raw = params[key];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value.slice(0, max) : undefined;
}

/** Reads the URL leniently: a bad value is dropped rather than failing the page. */
export function parseCatalogQuery(params: SearchParams): CatalogQuery {
  const sort = one(params, "sort");
  const min = one(params, "min", 20);
  const max = one(params, "max", 20);
  return {
    q: one(params, "q"),
    category: one(params, "category", 100),
    min: min && /^\d+([.,]\d{1,3})?$/.test(min) ? min.replace(",", ".") : undefined,
    max: max && /^\d+([.,]\d{1,3})?$/.test(max) ? max.replace(",", ".") : undefined,
    sort: CATALOG_SORTS.some((s) => s.value === sort) ? (sort as CatalogSort) : undefined,
    inStock: one(params, "inStock") === "1" || undefined,
    ...pagePosition(params),
  };
}

/** Where in the list the URL is: its cursor, the way back, the page number (page one without a cursor). */
function pagePosition(params: SearchParams): Pick<CatalogQuery, "cursor" | "back" | "page"> {
  const cursor = one(params, "cursor", 512);
  if (!cursor || !CURSOR.test(cursor)) return { cursor: undefined };
  const back = (one(params, "back", (BACK_LIMIT + 1) * 513) ?? "").split("~").filter((c) => CURSOR.test(c)).slice(-BACK_LIMIT);
  const page = Number(one(params, "page", 6));
  return { cursor, back, page: Number.isInteger(page) && page >= back.length + 2 ? page : back.length + 2 };
}

/** The effective sort: relevance only means something with a search term. */
export function effectiveSort(query: CatalogQuery): CatalogSort {
  if (query.sort === "relevance" && !query.q) return "newest";
  return query.sort ?? (query.q ? "relevance" : "newest");
}

/** "12.5" EUR -> 1250; undefined stays undefined. */
export function majorToMinor(value: string | undefined, currency: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) return undefined;
  return parseMajor(value, currency);
}

/** A catalog URL with these filters; any change but a page move goes back to page one. */
export function catalogHref(query: CatalogQuery, change: Partial<CatalogQuery> = {}): string {
  const next: CatalogQuery = { ...query, ...change };
  if (!("cursor" in change)) {
    delete next.cursor;
    delete next.back;
    delete next.page;
  }
  const params = new URLSearchParams();
  if (next.q) params.set("q", next.q);
  if (next.category) params.set("category", next.category);
  if (next.min) params.set("min", next.min);
  if (next.max) params.set("max", next.max);
  if (next.sort) params.set("sort", next.sort);
  if (next.inStock) params.set("inStock", "1");
  if (next.cursor) {
    params.set("cursor", next.cursor);
    if (next.back && next.back.length > 0) params.set("back", next.back.join("~"));
    if (next.page) params.set("page", String(next.page));
  }
  const search = params.toString();
  return search ? `/catalog?${search}` : "/catalog";
}

/** The page after this one, remembering this one for the way back. */
export function nextPageHref(query: CatalogQuery, nextCursor: string): string {
  const back = query.cursor ? [...(query.back ?? []), query.cursor].slice(-BACK_LIMIT) : [];
  return catalogHref(query, { cursor: nextCursor, back, page: (query.page ?? 1) + 1 });
}

/** The page before this one; null on page one, and past the remembered pages (the first page link remains). */
export function previousPageHref(query: CatalogQuery): string | null {
  const page = query.page ?? 1;
  if (!query.cursor || page <= 1) return null;
  if (page === 2) return catalogHref(query);
  const back = query.back ?? [];
  const cursor = back.at(-1);
  return cursor ? catalogHref(query, { cursor, back: back.slice(0, -1), page: page - 1 }) : null;
}

/** A price range no product can be in, said for a shopper; null when the range is fine. */
export function priceRangeProblem(query: CatalogQuery): string | null {
  return query.min !== undefined && query.max !== undefined && Number(query.min) > Number(query.max) ? "The highest price must not be below the lowest." : null;
}

interface CategoryRow {
  id: string;
  slug: string;
  name: string;
  parentId: string | null;
  activeProducts: number;
}

/** Categories in tree order (each parent followed by its children), with their depth. */
export function categoryTree<C extends CategoryRow>(rows: C[]): (C & { depth: number })[] {
  const children = new Map<string | null, C[]>();
  const ids = new Set(rows.map((r) => r.id));
  for (const row of rows) {
    const parent = row.parentId && ids.has(row.parentId) ? row.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), row]);
  }
  const out: (C & { depth: number })[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const row of children.get(parent) ?? []) {
      out.push({ ...row, depth });
      if (depth < 5) walk(row.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
