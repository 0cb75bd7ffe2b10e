// Proves the migrations folder: it builds exactly prisma/schema.prisma, re-applying it is a no-op,
// and the hand-written search trigger works on real PostgreSQL.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/helpers/db.ts";
import { applyMigrations, diffMigrationsToSchema, readMigrations } from "./engine.ts";

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
  it("produces exactly schema.prisma (no drift)", async () => {
    expect(await diffMigrationsToSchema(migrationsDir, schemaPath)).toBe("");
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
});
