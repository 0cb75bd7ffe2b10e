// The floor the API is compared against: node:http + pg issuing the same SQL statements the API
// issues for catalog.list (keyset page, then the rows with seller and category in one statement)
// and catalog.get (one statement), and answering the same JSON envelope (superjson's `json` key).
// What it leaves out is the framework: tRPC routing, zod validation, Prisma's query engine,
// superjson, the metrics histogram, and catalog.get's availability lookup (cached in the API).
//
// `DATABASE_URL=... PORT=0 node --import tsx bench/bare-server.ts` prints `listening <port>`.
import http from "node:http";
import pg from "pg";

// BIGINT money as numbers, as the API answers it (exact: src/core/money.ts keeps amounts below 2^53).
pg.types.setTypeParser(pg.types.builtins.INT8, Number);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10) });

const SUMMARY_COLUMNS = `p.id::text AS id, p.title, p."priceMinor", p.currency, coalesce(to_json(p.images), '[]'::json) AS images, p."createdAt",
  json_build_object('id', s.id, 'shopName', s."shopName") AS seller,
  CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'slug', c.slug, 'name', c.name) END AS category`;
const SUMMARY_FROM = `"Product" p JOIN "Seller" s ON s.id = p."sellerId" LEFT JOIN "Category" c ON c.id = p."categoryId"`;

/** Rows by id with their seller and category: the statement the API's listProducts sends. */
async function loadSummaries(ids: string[]) {
  if (ids.length === 0) return [];
  const { rows } = await pool.query<{ id: string }>(`SELECT ${SUMMARY_COLUMNS} FROM ${SUMMARY_FROM} WHERE p.id = ANY($1::uuid[])`, [ids]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

async function list(input: { limit?: number; q?: string }) {
  const limit = Math.min(Math.max(input.limit ?? 24, 1), 100);
  const q = input.q?.trim() || null;
  const { rows } = q
    ? await pool.query<{ id: string }>(
        `SELECT p.id::text AS id, p.sku, p."createdAt", p."priceMinor", ts_rank(p."searchVector", websearch_to_tsquery('simple', products_search_text($1))) AS rank
         FROM "Product" p WHERE p."status" = $2::"ProductStatus" AND p."searchVector" @@ websearch_to_tsquery('simple', products_search_text($3))
         ORDER BY ts_rank(p."searchVector", websearch_to_tsquery('simple', products_search_text($4))) DESC, p.id DESC LIMIT $5`,
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

/** catalog.get's statement: the row with seller and category (availability is the API's extra). */
async function get(input: { id: string }) {
  const { rows } = await pool.query(
    `SELECT ${SUMMARY_COLUMNS}, p.sku, p.description, p.status::text AS status, p."publishedAt"
    FROM ${SUMMARY_FROM} WHERE p.id = $1::uuid AND p.status = 'active'`,
    [input.id],
  );
  return rows[0] ? { ...rows[0], availability: { status: "unknown" } } : null;
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
