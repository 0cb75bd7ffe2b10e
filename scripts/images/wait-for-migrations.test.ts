// The init containers' guard against a real, migrated PostgreSQL database.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/helpers/db.ts";
import { connectionFor, expectedMigrations, waitForMigrations } from "./wait-for-migrations.ts";

const MIGRATIONS = path.resolve(import.meta.dirname, "../../prisma/migrations");
let database: TestDatabase;
let extraDir: string;

beforeAll(async () => {
  database = await createTestDatabase({ maxConnections: 1 });
  // The real migrations plus one the database has not seen: a newer image's view.
  extraDir = await mkdtemp(path.join(tmpdir(), "lavka-wait-"));
  for (const name of await expectedMigrations(MIGRATIONS)) {
    await mkdir(path.join(extraDir, name));
    await writeFile(path.join(extraDir, name, "migration.sql"), "-- copy\n");
  }
  await mkdir(path.join(extraDir, "29991231000000_future"));
  await writeFile(path.join(extraDir, "29991231000000_future", "migration.sql"), "SELECT 1;\n");
});

afterAll(async () => {
  await database?.drop();
  if (extraDir) await rm(extraDir, { recursive: true, force: true });
});

describe("wait-for-migrations", () => {
  it("reads Prisma's migration folders", async () => {
    const names = await expectedMigrations(MIGRATIONS);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => /^\d{14}_/.test(n))).toBe(true);
  });

  it("returns at once when the database has every migration of the image", async () => {
    const lines: string[] = [];
    const ok = await waitForMigrations({
      databaseUrl: database.url,
      migrationsDir: MIGRATIONS,
      timeoutMs: 5_000,
      log: (l) => lines.push(l),
    });
    expect(ok).toBe(true);
    expect(lines.at(-1)).toMatch(/all \d+ migration\(s\) applied/);
  });

  it("keeps waiting, then gives up, while a migration is missing", async () => {
    const lines: string[] = [];
    const started = Date.now();
    const ok = await waitForMigrations({
      databaseUrl: database.url,
      migrationsDir: extraDir,
      timeoutMs: 2_500,
      log: (l) => lines.push(l),
    });
    expect(ok).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(lines[0]).toContain("29991231000000_future");
  });

  it("treats a database without _prisma_migrations as not migrated", async () => {
    const ok = await waitForMigrations({
      databaseUrl: `${database.url}?schema=nowhere`,
      migrationsDir: MIGRATIONS,
      timeoutMs: 100,
      log: () => undefined,
    });
    expect(ok).toBe(false);
  });

  it("passes Prisma's ?schema= as the table's schema, not to pg", () => {
    expect(connectionFor("postgresql://u:p@h:5432/db?schema=shop&sslmode=require")).toEqual({
      connectionString: "postgresql://u:p@h:5432/db?sslmode=require",
      schema: "shop",
    });
    expect(connectionFor("postgresql://u@h/db").schema).toBe("public");
  });
});
