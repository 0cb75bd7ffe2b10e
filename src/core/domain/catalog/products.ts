import { DomainError } from "~/core/errors";
import { z } from "zod";
import { encodeCursor, readCursor, toPage, type Page } from "~/core/pagination";
import { Prisma, type Db } from "~/lib/db";
import { minorNumber, minorNumbers, type MinorNumbers } from "~/core/money";
import type { Availability, AvailabilityReader } from "./availability";
import { productPhotosSelect } from "~/core/domain/photos/photos";

export const productSummarySelect = {
  id: true,
  title: true,
  priceMinor: true,
  currency: true,
  images: true,
  /** The main photo only (a list of at most one). */
  photos: { ...productPhotosSelect, take: 1 },
  createdAt: true,
  seller: { select: { id: true, shopName: true } },
  category: { select: { id: true, slug: true, name: true } },
} satisfies Prisma.ProductSelect;

export const productDetailSelect = {
  ...productSummarySelect,
  photos: productPhotosSelect,
  sku: true,
  description: true,
  status: true,
  publishedAt: true,
} satisfies Prisma.ProductSelect;

type ProductSummaryRow = Prisma.ProductGetPayload<{ select: typeof productSummarySelect }>;
type ProductDetailRow = Prisma.ProductGetPayload<{ select: typeof productDetailSelect }>;
export type ProductSummary = MinorNumbers<ProductSummaryRow>;
export type ProductDetail = MinorNumbers<ProductDetailRow>;
export type ProductStatus = "draft" | "active" | "archived";

export const productSorts = ["newest", "price_asc", "price_desc", "relevance"] as const;
export type ProductSort = (typeof productSorts)[number];

export interface ListProductsInput {
  limit: number;
  cursor?: string | null;
  /** Full-text query (websearch syntax: words, "phrases", -excluded). */
  q?: string;
  categorySlug?: string;
  sellerId?: string;
  minPriceMinor?: number;
  maxPriceMinor?: number;
  currency?: string;
  /** Only products with at least one unit available (asks the inventory service). */
  inStock?: boolean;
  /** Default: relevance with a query, newest without. */
  sort?: ProductSort;
}

/** Who sees what: the public catalog sees active products; a seller sees their own in any status. */
export interface ListScope {
  statuses: readonly ProductStatus[];
  sellerId?: string;
}

export const PUBLIC_SCOPE: ListScope = { statuses: ["active"] };

/** Matches are counted up to this many; beyond it a list says "more than 10,000". */
export const COUNT_LIMIT = 10_000;

/** How many products match a listing's filters (stock aside), counted up to COUNT_LIMIT. */
export interface MatchCount {
  count: number;
  /** True when there are more than `count` (= COUNT_LIMIT). */
  capped: boolean;
}

// Keyset cursors, one shape per sort order: the last row's sort key plus its id as tie-breaker.
const cursorSchemas = {
  newest: z.object({ s: z.literal("newest"), createdAt: z.iso.datetime(), id: z.uuid() }),
  price_asc: z.object({ s: z.literal("price_asc"), price: z.number().int(), id: z.uuid() }),
  price_desc: z.object({ s: z.literal("price_desc"), price: z.number().int(), id: z.uuid() }),
  relevance: z.object({ s: z.literal("relevance"), rank: z.number(), id: z.uuid() }),
} as const;

interface CandidateRow {
  id: string;
  sku: string;
  createdAt: Date;
  priceMinor: bigint;
  rank: number | null;
}

/** Rows scanned at most for one in-stock page, so a mostly sold-out catalog cannot make a page slow. */
const IN_STOCK_SCAN_LIMIT = 1_000;

function resolveSort(input: ListProductsInput): ProductSort {
  const q = input.q?.trim();
  const sort = input.sort ?? (q ? "relevance" : "newest");
  if (sort === "relevance" && !q) {
    throw new DomainError("invalid", "'relevance' needs a search query (q).", { field: "sort" });
  }
  return sort;
}

/** A row's sort key: what its cursor holds (cursorSchemas[sort]). */
function keyOf(sort: ProductSort, row: CandidateRow) {
  switch (sort) {
    case "newest":
      return { s: sort, createdAt: row.createdAt.toISOString(), id: row.id };
    case "price_asc":
    case "price_desc":
      return { s: sort, price: minorNumber(row.priceMinor), id: row.id };
    case "relevance":
      return { s: sort, rank: row.rank ?? 0, id: row.id };
  }
}

/** The full-text query of a listing's search words, or null without any. */
function searchQuery(input: ListProductsInput): Prisma.Sql | null {
  const q = input.q?.trim() || null;
  // products_search_text (a migration) is what the stored vector was built from: angle brackets
  // become spaces, so "<USB-C>" is words rather than an XML tag the parser drops.
  return q ? Prisma.sql`websearch_to_tsquery('simple', products_search_text(${q}::text))` : null;
}

/** The WHERE conditions of a listing (on "Product" p), stock aside. */
function listFilters(input: ListProductsInput, scope: ListScope, tsQuery: Prisma.Sql | null): Prisma.Sql[] {
  // One status as `=`: with `= ANY(array)` PostgreSQL cannot read the (status, sort key) index in
  // order and sorts the whole catalog instead (measured: 60-130 ms vs 0.4 ms at 100k products).
  const [onlyStatus] = scope.statuses;
  const filters: Prisma.Sql[] = [
    scope.statuses.length === 1
      ? Prisma.sql`p."status" = ${onlyStatus}::"ProductStatus"`
      : Prisma.sql`p."status" = ANY(${[...scope.statuses]}::"ProductStatus"[])`,
  ];
  if (scope.sellerId) filters.push(Prisma.sql`p."sellerId" = ${scope.sellerId}::uuid`);
  if (input.sellerId) filters.push(Prisma.sql`p."sellerId" = ${input.sellerId}::uuid`);
  if (tsQuery) filters.push(Prisma.sql`p."searchVector" @@ ${tsQuery}`);
  if (input.categorySlug) {
    // A parent category lists its subcategories' products too.
    filters.push(Prisma.sql`p."categoryId" IN (
      SELECT c.id FROM "Category" c WHERE c.slug = ${input.categorySlug}
      OR c."parentId" IN (SELECT id FROM "Category" WHERE slug = ${input.categorySlug}))`);
  }
  if (input.minPriceMinor !== undefined) filters.push(Prisma.sql`p."priceMinor" >= ${input.minPriceMinor}`);
  if (input.maxPriceMinor !== undefined) filters.push(Prisma.sql`p."priceMinor" <= ${input.maxPriceMinor}`);
  if (input.currency) filters.push(Prisma.sql`p."currency" = ${input.currency}`);
  return filters;
}

/** Counts a listing's matches (stock aside: that lives in the inventory service), up to `limit`. */
export async function countProducts(db: Db, input: ListProductsInput, scope: ListScope, limit = COUNT_LIMIT): Promise<MatchCount> {
  const where = Prisma.join(listFilters(input, scope, searchQuery(input)), " AND ");
  const [row] = await db.$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM (SELECT 1 FROM "Product" p WHERE ${where} LIMIT ${limit + 1}) matches`;
  const count = row?.count ?? 0;
  return count > limit ? { count: limit, capped: true } : { count, capped: false };
}

/**
 * The one listing implementation (public catalog and sellers' own lists): filters, full-text
 * search on the trigger-maintained Product.searchVector ('simple' configuration, as the
 * migration builds it), and keyset pagination per sort order, each backed by an index
 * ((status, createdAt, id), (status, priceMinor, id), GIN on searchVector).
 *
 * Returns ids in order with the cursor; callers load the fields they show.
 */
export async function listProductIds(
  deps: { db: Db; availability?: AvailabilityReader },
  input: ListProductsInput,
  scope: ListScope,
): Promise<Page<string>> {
  const sort = resolveSort(input);
  const after: unknown = readCursor(input.cursor, cursorSchemas[sort], "not a cursor this list returned for this sort order.");
  const tsQuery = searchQuery(input);
  const rank = tsQuery ? Prisma.sql`ts_rank(p."searchVector", ${tsQuery})` : Prisma.sql`NULL::real`;
  const filters = listFilters(input, scope, tsQuery);

  const orderBy = {
    newest: Prisma.sql`p."createdAt" DESC, p.id DESC`,
    price_asc: Prisma.sql`p."priceMinor" ASC, p.id ASC`,
    price_desc: Prisma.sql`p."priceMinor" DESC, p.id DESC`,
    relevance: Prisma.sql`${rank} DESC, p.id DESC`,
  }[sort];

  function keyset(from: unknown): Prisma.Sql | null {
    if (!from) return null;
    const c = from as { createdAt?: string; price?: number; rank?: number; id: string };
    switch (sort) {
      case "newest":
        return Prisma.sql`(p."createdAt", p.id) < (${new Date(c.createdAt!)}::timestamptz, ${c.id}::uuid)`;
      case "price_asc":
        return Prisma.sql`(p."priceMinor", p.id) > (${c.price!}::bigint, ${c.id}::uuid)`;
      case "price_desc":
        return Prisma.sql`(p."priceMinor", p.id) < (${c.price!}::bigint, ${c.id}::uuid)`;
      case "relevance":
        return Prisma.sql`(${rank} < ${c.rank!}::real OR (${rank} = ${c.rank!}::real AND p.id < ${c.id}::uuid))`;
    }
  }

  async function fetchCandidates(from: unknown, take: number): Promise<CandidateRow[]> {
    const ks = keyset(from);
    const where = Prisma.join(ks ? [...filters, ks] : filters, " AND ");
    return deps.db.$queryRaw<CandidateRow[]>`
      SELECT p.id::text AS id, p.sku, p."createdAt", p."priceMinor", ${rank} AS rank
      FROM "Product" p WHERE ${where} ORDER BY ${orderBy} LIMIT ${take}`;
  }

  if (!input.inStock) {
    const page = toPage(await fetchCandidates(after, input.limit + 1), input.limit, (last) => keyOf(sort, last));
    return { items: page.items.map((r) => r.id), nextCursor: page.nextCursor };
  }

  // In stock: stock lives in the inventory service, so scan candidates in order and keep those
  // with units available (batch reads, briefly cached), stopping at a page or the scan limit.
  if (!deps.availability) throw new Error("listProductIds: inStock needs an availability reader");
  const batch = Math.min(200, Math.max(2 * input.limit, 50));
  const matches: CandidateRow[] = [];
  let cursorRow: unknown = after;
  let scanned = 0;
  let lastScanned: CandidateRow | undefined;
  for (;;) {
    const rows = await fetchCandidates(cursorRow, batch);
    const levels = await deps.availability.read(rows.map((r) => r.sku));
    if ([...levels.values()].some((a) => a.status === "unknown")) {
      throw new DomainError("unavailable", "stock levels are unavailable right now (inventory service); try again or list without the in-stock filter.", { field: "inStock" });
    }
    for (const row of rows) {
      scanned += 1;
      lastScanned = row;
      const level = levels.get(row.sku);
      if (level?.status === "known" && level.available > 0) matches.push(row);
      if (matches.length > input.limit) break;
    }
    const exhausted = rows.length < batch;
    if (matches.length > input.limit) {
      const items = matches.slice(0, input.limit);
      return { items: items.map((r) => r.id), nextCursor: encodeCursor(keyOf(sort, items.at(-1)!)) };
    }
    if (exhausted) return { items: matches.map((r) => r.id), nextCursor: null };
    if (scanned >= IN_STOCK_SCAN_LIMIT) {
      // A short page: the cursor continues after the last row looked at, not the last match.
      return { items: matches.map((r) => r.id), nextCursor: encodeCursor(keyOf(sort, lastScanned!)) };
    }
    cursorRow = keyOf(sort, rows.at(-1)!);
  }
}

/** Loads rows by id with `select`, in the order of `ids`. */
export async function loadInOrder<S extends Prisma.ProductSelect & { id: true }>(
  db: Db,
  ids: string[],
  select: S,
): Promise<Prisma.ProductGetPayload<{ select: S }>[]> {
  if (ids.length === 0) return [];
  const rows = (await db.product.findMany({ where: { id: { in: ids } }, select })) as Prisma.ProductGetPayload<{ select: S }>[];
  const byId = new Map(rows.map((r) => [(r as { id: string }).id, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [row] : [];
  });
}

/**
 * productSummarySelect's fields for `ids`, in that order, in one statement: Prisma loads the
 * seller and category relations with a query each, and those round trips were most of a
 * catalog page's time under load (docs/benchmarks.md).
 */
/** The product's photos in order as productPhotosSelect gives them, as JSON; `limit` 1 for the main photo only. */
function photosJson(limit: number | null): Prisma.Sql {
  return Prisma.sql`coalesce((SELECT json_agg(json_build_object('id', ph.id, 'alt', ph.alt, 'digest', ph.digest, 'width', ph.width, 'height', ph.height, 'widths', ph.widths) ORDER BY ph.position, ph.id)
    FROM (SELECT * FROM "ProductPhoto" WHERE "productId" = p.id ORDER BY position, id LIMIT ${limit}) ph), '[]'::json)`;
}

const summaryColumns = Prisma.sql`p.id::text AS id, p.title, p."priceMinor", p.currency, coalesce(to_json(p.images), '[]'::json) AS images, p."createdAt",
  json_build_object('id', s.id, 'shopName', s."shopName") AS seller,
  CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'slug', c.slug, 'name', c.name) END AS category`;
const summaryFrom = Prisma.sql`"Product" p JOIN "Seller" s ON s.id = p."sellerId" LEFT JOIN "Category" c ON c.id = p."categoryId"`;

async function loadSummaries(db: Db, ids: string[]): Promise<ProductSummary[]> {
  if (ids.length === 0) return [];
  const rows = await db.$queryRaw<ProductSummaryRow[]>`SELECT ${summaryColumns}, ${photosJson(1)} AS photos FROM ${summaryFrom} WHERE p.id = ANY(${ids}::uuid[])`;
  const byId = new Map(rows.map((r) => [r.id, minorNumbers(r)]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [row] : [];
  });
}

/**
 * The public catalog: active products, filtered, sorted and paginated; with `count`, also how
 * many products match (stock aside), for a results count.
 */
export async function listProducts(
  deps: { db: Db; availability?: AvailabilityReader },
  input: ListProductsInput & { count?: boolean },
): Promise<Page<ProductSummary> & { total: MatchCount | null }> {
  const [page, total] = await Promise.all([listProductIds(deps, input, PUBLIC_SCOPE), input.count ? countProducts(deps.db, input, PUBLIC_SCOPE) : null]);
  return { items: await loadSummaries(deps.db, page.items), nextCursor: page.nextCursor, total };
}

export type ProductWithAvailability = ProductDetail & { availability: Availability };

/**
 * One product a buyer may see (active ones only, so drafts and archived items stay private),
 * with availability; "unknown" when the inventory service does not answer, so the page still works.
 */
export async function getProduct(deps: { db: Db; availability: AvailabilityReader }, id: string): Promise<ProductWithAvailability> {
  // productDetailSelect's fields in one statement (Prisma would send three: row, seller, category).
  const [row] = await deps.db.$queryRaw<ProductDetailRow[]>`
    SELECT ${summaryColumns}, ${photosJson(null)} AS photos, p.sku, p.description, p.status::text AS status, p."publishedAt"
    FROM ${summaryFrom} WHERE p.id = ${id}::uuid AND p.status = 'active'`;
  if (!row) throw new DomainError("not_found", `No product with id ${id}`);
  const product = minorNumbers(row);
  const levels = await deps.availability.read([product.sku]);
  return { ...product, availability: levels.get(product.sku) ?? { status: "unknown" } };
}

export const categorySelect = {
  id: true,
  slug: true,
  name: true,
  parentId: true,
  _count: { select: { products: { where: { status: "active" } } } },
} satisfies Prisma.CategorySelect;

/** Every category with its number of active products, by name; the tree is built from parentId. */
export async function listCategories(db: Db) {
  const rows = await db.category.findMany({ select: categorySelect, orderBy: [{ name: "asc" }, { id: "asc" }] });
  return rows.map(({ _count, ...c }) => ({ ...c, activeProducts: _count.products }));
}
