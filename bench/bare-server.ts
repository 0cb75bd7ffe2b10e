// The floor the API is compared against: node:http + pg issuing the same SQL statements the API
// issues for catalog.list (keyset page, then the rows with seller and category in one statement)
// and catalog.get (the row, then seller and category, as Prisma sends them), and answering the same JSON envelope (superjson's `json` key).
// What it leaves out is the framework: tRPC routing, zod validation, Prisma's query engine,
// superjson, the metrics histogram, and catalog.get's availability lookup (cached in the API).
//
// `DATABASE_URL=... PORT=0 node --import tsx bench/bare-server.ts` prints `listening <port>`.
import http from "node:http";
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10) });

interface Row {
  id: string;
  title: string;
  priceMinor: number;
  currency: string;
  images: string[];
  createdAt: Date;
  sellerId: string;
  categoryId: string | null;
}

const PRODUCT_COLUMNS = `"public"."Product"."id", "public"."Product"."title", "public"."Product"."priceMinor", "public"."Product"."currency", "public"."Product"."images", "public"."Product"."createdAt", "public"."Product"."sellerId", "public"."Product"."categoryId"`;

/** Rows by id with their seller and category: the statement the API's listProducts sends. */
async function loadSummaries(ids: string[]) {
  if (ids.length === 0) return [];
  const { rows } = await pool.query<{ id: string }>(
    `SELECT p.id::text AS id, p.title, p."priceMinor", p.currency, coalesce(to_json(p.images), '[]'::json) AS images, p."createdAt",
      json_build_object('id', s.id, 'shopName', s."shopName") AS seller,
      CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'slug', c.slug, 'name', c.name) END AS category
    FROM "Product" p
    JOIN "Seller" s ON s.id = p."sellerId"
    LEFT JOIN "Category" c ON c.id = p."categoryId"
    WHERE p.id = ANY($1::uuid[])`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The three statements Prisma sends for catalog.get (productDetailSelect: row, seller, category). */
async function loadRelations(row: Row) {
  const [sellers, categories] = await Promise.all([
    pool.query<{ id: string; shopName: string }>(`SELECT "public"."Seller"."id", "public"."Seller"."shopName" FROM "public"."Seller" WHERE "public"."Seller"."id" IN ($1) OFFSET $2`, [row.sellerId, 0]),
    row.categoryId
      ? pool.query<{ id: string; slug: string; name: string }>(
          `SELECT "public"."Category"."id", "public"."Category"."slug", "public"."Category"."name" FROM "public"."Category" WHERE "public"."Category"."id" IN ($1) OFFSET $2`,
          [row.categoryId, 0],
        )
      : { rows: [] },
  ]);
  return { seller: sellers.rows[0] ?? null, category: categories.rows[0] ?? null };
}

async function list(input: { limit?: number; q?: string }) {
  const limit = Math.min(Math.max(input.limit ?? 24, 1), 100);
  const q = input.q?.trim() || null;
  const { rows } = q
    ? await pool.query<{ id: string }>(
        `SELECT p.id::text AS id, p.sku, p."createdAt", p."priceMinor", ts_rank(p."searchVector", websearch_to_tsquery('simple', $1)) AS rank
         FROM "Product" p WHERE p."status" = $2::"ProductStatus" AND p."searchVector" @@ websearch_to_tsquery('simple', $3)
         ORDER BY ts_rank(p."searchVector", websearch_to_tsquery('simple', $4)) DESC, p.id DESC LIMIT $5`,
        [q, "active", q, q, limit + 1],
      )
    : await pool.query<{ id: string }>(
        `SELECT p.id::text AS id, p.sku, p."createdAt", p."priceMinor", NULL::real AS rank
         FROM "Product" p WHERE p."status" = $1::"ProductStatus" ORDER BY p."createdAt" DESC, p.id DESC LIMIT $2`,
        ["active", limit + 1],
      );
  const items = await loadSummaries(rows.slice(0, limit).map((r) => r.id));
  // The API's cursor is an opaque keyset token; any string of similar size serves the comparison.
  return { items, nextCursor: rows.length > limit ? Buffer.from(JSON.stringify(rows[limit - 1])).toString("base64url") : null };
}

async function get(input: { id: string }) {
  const { rows } = await pool.query<Row & { sku: string; description: string; status: string; publishedAt: Date | null }>(
    `SELECT ${PRODUCT_COLUMNS}, "public"."Product"."sku", "public"."Product"."description", "public"."Product"."status"::text, "public"."Product"."publishedAt" FROM "public"."Product" WHERE ("public"."Product"."id" = $1 AND "public"."Product"."status" = CAST($2::text AS "public"."ProductStatus")) LIMIT $3 OFFSET $4`,
    [input.id, "active", 1, 0],
  );
  const row = rows[0];
  if (!row) return null;
  const { seller, category } = await loadRelations(row);
  return { id: row.id, title: row.title, priceMinor: row.priceMinor, currency: row.currency, images: row.images, createdAt: row.createdAt, seller, category, sku: row.sku, description: row.description, status: row.status, publishedAt: row.publishedAt, availability: { status: "unknown" } };
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://bare");
  const input = (JSON.parse(url.searchParams.get("input") ?? "{}") as { json?: Record<string, unknown> }).json ?? {};
  const handler = url.pathname === "/trpc/catalog.list" ? list(input) : url.pathname === "/trpc/catalog.get" ? get(input as { id: string }) : null;
  if (!handler) return send(res, 404, { error: "not found" });
  handler.then(
    (data) => (data === null ? send(res, 404, { error: "not found" }) : send(res, 200, { result: { data: { json: data } } })),
    (error: unknown) => send(res, 500, { error: String(error) }),
  );
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
});
process.once("SIGTERM", () => server.close(() => void pool.end().then(() => process.exit(0))));
