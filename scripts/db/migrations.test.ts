// Proves the migrations folder: it builds exactly prisma/schema.prisma, re-applying it is a no-op,
// and the hand-written search trigger works on real PostgreSQL.
import { cp, mkdtemp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/helpers/db.ts";
import { adminQuery, databaseUrl, quoteIdent } from "../../tests/helpers/postgres.ts";
import { diffEmptyToSchema, diffMigrationsToSchema } from "./engine-pglite.ts";
import { applyMigrations, diffDatabaseToSchema, readMigrations } from "./engine.ts";

const root = path.resolve(import.meta.dirname, "../..");
const migrationsDir = path.join(root, "prisma/migrations");
const schemaPath = path.join(root, "prisma/schema.prisma");

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe("prisma/migrations", () => {
  it("builds exactly schema.prisma on real PostgreSQL (no drift)", async () => {
    expect(await diffDatabaseToSchema(t.url, schemaPath)).toBe("");
  });

  it("builds exactly schema.prisma on PGlite, the path db:diff takes", async () => {
    expect(await diffMigrationsToSchema(migrationsDir, schemaPath)).toBe("");
  });

  it("diffs schema files: empty -> schema.prisma creates the tables", async () => {
    const sql = await diffEmptyToSchema(schemaPath);
    expect(sql).toContain('CREATE TABLE "Product"');
    expect(sql).toContain('"searchVector" tsvector');
  });

  it("records every migration in _prisma_migrations, and applying again is a no-op", async () => {
    const names = (await readMigrations(migrationsDir)).migrationDirectories.map((m) => m.path);
    const rows = () =>
      t.db.$queryRaw<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }[]>`
        SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name`;
    const before = await rows();
    expect(before.map((r) => r.migration_name)).toEqual(names);
    expect(before.every((r) => r.finished_at !== null && r.rolled_back_at === null)).toBe(true);

    expect(await applyMigrations(t.url, migrationsDir)).toEqual([]);
    expect(await rows()).toEqual(before);
  });

  it("keeps Product.searchVector in step with title and description (trigger)", async () => {
    const user = await t.db.user.create({
      data: { id: "u-search", email: "search@example.test", displayName: "Search", role: "seller" },
    });
    const seller = await t.db.seller.create({ data: { userId: user.id, shopName: "Search shop" } });
    const product = await t.db.product.create({
      data: {
        sellerId: seller.id,
        sku: "SKU-SEARCH-1",
        title: "Handmade Ceramic Teapot",
        description: "Glazed stoneware, holds one litre",
        priceMinor: 4500,
        currency: "EUR",
      },
    });
    // 'simple' config: lowercased words, no stemming, so queries must use 'simple' too.
    const match = (query: string) =>
      t.db.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Product" WHERE "searchVector" @@ to_tsquery('simple', ${query})`;
    expect(await match("teapot")).toEqual([{ id: product.id }]);
    expect(await match("stoneware")).toEqual([{ id: product.id }]);
    expect(await match("kettle")).toEqual([]);

    // Title words weigh A, description words B.
    const [weights] = await t.db.$queryRaw<{ v: string }[]>`
      SELECT "searchVector"::text AS v FROM "Product" WHERE id = ${product.id}::uuid`;
    expect(weights?.v).toContain("'teapot':3A");
    expect(weights?.v).toContain("'stoneware':5B");

    await t.db.product.update({ where: { id: product.id }, data: { title: "Handmade Ceramic Kettle" } });
    expect(await match("kettle")).toEqual([{ id: product.id }]);
    expect(await match("teapot")).toEqual([]);

    await t.db.product.update({ where: { id: product.id }, data: { description: "Porcelain" } });
    expect(await match("porcelain")).toEqual([{ id: product.id }]);
    expect(await match("stoneware")).toEqual([]);
  });

  it("finds words inside angle brackets, and the migration that taught it re-computes existing rows", async () => {
    // The 'simple' parser reads "<USB-C>" as an XML tag and drops it: apply the migrations up to
    // the fix, store a product as the old trigger did, then apply the rest.
    const fix = "20261201100000_search_words_in_angle_brackets";
    const dir = await mkdtemp(path.join(tmpdir(), "lavka-migrations-"));
    const name = `lavka_t_${Math.floor(Date.now() / 1000)}_search`;
    await adminQuery(`CREATE DATABASE ${quoteIdent(name)}`);
    try {
      for (const entry of await readdir(migrationsDir)) {
        if (entry.endsWith(".toml") || entry < fix) await cp(path.join(migrationsDir, entry), path.join(dir, entry), { recursive: true });
      }
      const url = databaseUrl(name);
      await applyMigrations(url, dir);
      await queryOn(
        url,
        `INSERT INTO "User" (id, email, "displayName", role, "createdAt", "updatedAt") VALUES ('u-old', 'old@example.test', 'Old', 'seller', now(), now());
         INSERT INTO "Seller" (id, "userId", "shopName") VALUES ('00000000-0000-4000-8000-000000000001', 'u-old', 'Old shop');
         INSERT INTO "Product" (id, "sellerId", sku, title, description, "priceMinor", currency, "updatedAt")
         VALUES ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'SKU-OLD', 'Adapter <USB-C> to HDMI', 'Fits <Thunderbolt 3> ports', 1999, 'EUR', now())`,
      );
      const search = (q: string) => queryOn<{ sku: string }>(url, `SELECT sku FROM "Product" WHERE "searchVector" @@ websearch_to_tsquery('simple', products_search_text('${q}'))`);
      const stale = await queryOn<{ sku: string }>(url, `SELECT sku FROM "Product" WHERE "searchVector" @@ websearch_to_tsquery('simple', 'usb-c')`);
      expect(stale).toEqual([]);

      await applyMigrations(url, migrationsDir);
      for (const q of ["usb-c", "USB-C", "<USB-C>", "hdmi", "thunderbolt"]) expect(await search(q), q).toEqual([{ sku: "SKU-OLD" }]);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("money_bigint converts existing amounts without loss, the largest int ones included", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lavka-migrations-"));
    const name = `lavka_t_${Math.floor(Date.now() / 1000)}_bigint`;
    await adminQuery(`CREATE DATABASE ${quoteIdent(name)}`);
    try {
      // The database as it was before money became BIGINT, holding int4's largest amounts.
      const before = (await readMigrations(migrationsDir)).migrationDirectories.filter((m) => m.path < "20261201090000");
      for (const m of before) await cp(path.join(migrationsDir, m.path), path.join(dir, m.path), { recursive: true });
      await cp(path.join(migrationsDir, "migration_lock.toml"), path.join(dir, "migration_lock.toml"));
      const url = databaseUrl(name);
      await applyMigrations(url, dir);
      const max = 2_147_483_647;
      await queryOn(
        url,
        `INSERT INTO "User" (id, email, "displayName", "updatedAt") VALUES ('u1', 'u1@example.test', 'U', now());
         INSERT INTO "Seller" (id, "userId", "shopName") VALUES ('00000000-0000-4000-8000-000000000001', 'u1', 'S');
         INSERT INTO "Product" (id, "sellerId", sku, title, "priceMinor", currency, "updatedAt")
           VALUES ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'SKU-1', 'P', ${max}, 'VND', now());
         INSERT INTO "Order" (id, "buyerId", currency, "subtotalMinor", "shippingMinor", "totalMinor", "idempotencyKey", "shippingAddress", "updatedAt")
           VALUES ('00000000-0000-4000-8000-000000000003', 'u1', 'VND', ${max - 1}, 1, ${max}, 'k1', '{}', now());
         INSERT INTO "OrderLine" (id, "orderId", "productId", "sellerId", sku, title, "unitPriceMinor", currency, quantity, "lineTotalMinor")
           VALUES ('00000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002',
                   '00000000-0000-4000-8000-000000000001', 'SKU-1', 'P', ${max}, 'VND', 1, ${max});
         INSERT INTO "Payment" (id, "orderId", gateway, "idempotencyKey", "amountMinor", currency, "updatedAt")
           VALUES ('00000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000003', 'g', 'p1', ${max}, 'VND', now());`,
      );
      await applyMigrations(url, migrationsDir);
      const [row] = await queryOn<Record<string, string>>(
        url,
        `SELECT p."priceMinor"::text AS price, o."subtotalMinor"::text AS subtotal, o."shippingMinor"::text AS shipping, o."totalMinor"::text AS total,
                l."unitPriceMinor"::text AS unit, l."lineTotalMinor"::text AS line, pay."amountMinor"::text AS paid,
                pg_typeof(o."totalMinor")::text AS type
         FROM "Product" p, "Order" o, "OrderLine" l, "Payment" pay`,
      );
      expect(row).toEqual({ price: `${max}`, subtotal: `${max - 1}`, shipping: "1", total: `${max}`, unit: `${max}`, line: `${max}`, paid: `${max}`, type: "bigint" });
      // And the columns now hold what int could not.
      await queryOn(url, `UPDATE "Order" SET "totalMinor" = "totalMinor" * 3`);
      expect(await queryOn(url, `SELECT "totalMinor"::text AS total FROM "Order"`)).toEqual([{ total: `${max * 3}` }]);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("applies a migration atomically: a failing one leaves nothing behind and blocks the next run", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lavka-migrations-"));
    const name = `lavka_t_${Math.floor(Date.now() / 1000)}_atomic`;
    await adminQuery(`CREATE DATABASE ${quoteIdent(name)}`);
    try {
      await mkdir(path.join(dir, "20200101000000_broken"));
      // The $$ body holds semicolons: a script split on ";" would break before reaching 1/0.
      await writeFile(
        path.join(dir, "20200101000000_broken", "migration.sql"),
        `CREATE TABLE "Half" (x int);
CREATE FUNCTION half_fn() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;
SELECT 1/0;\n`,
      );
      const url = databaseUrl(name);
      await expect(applyMigrations(url, dir)).rejects.toThrow(/division by zero/);
      const tables = await queryOn<{ n: number }>(url, `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'Half'`);
      expect(tables).toEqual([{ n: 0 }]);
      const failed = await queryOn<{ finished_at: Date | null }>(url, "SELECT finished_at FROM _prisma_migrations");
      expect(failed).toEqual([{ finished_at: null }]);
      // Same contract as `prisma migrate deploy`: a failed migration must be resolved first.
      await expect(applyMigrations(url, dir)).rejects.toThrow(/failed migrations/);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function queryOn<R extends Record<string, unknown>>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}
