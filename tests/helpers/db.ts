// Per-test-file PostgreSQL databases, cloned from the migrated template that
// tests/global-setup.ts builds once per run (CREATE DATABASE ... TEMPLATE takes ~0.2 s,
// replaying migrations would take seconds).
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createDb, type Db } from "~/lib/db";
import { adminQuery, CLONE_PREFIX, databaseUrl, quoteIdent } from "./postgres.ts";
import { CALL_TIMEOUT_MS } from "./wait.ts";

export { adminQuery } from "./postgres.ts";
export type { Db } from "~/lib/db";

export interface TestDatabase {
  /** Connection URL of the fresh database (for code that builds its own client). */
  url: string;
  /** Prisma client connected to it. */
  db: Db;
  /** Disconnects `db` and drops the database, even if other connections are still open. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Pool size of `db`; 5 is plenty for a test file and keeps the server's connection count low. */
  maxConnections?: number;
  /** Where `db` connects, given the database's direct URL (e.g. through a PgBouncer); `url` stays direct. */
  clientUrl?: (directUrl: string) => string;
}

/** A new, migrated, empty database of its own. Call `drop()` in afterAll. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const template = inject("lavkaTemplateDatabase");
  if (!template) throw new Error("no template database: run tests through vitest.config.ts (globalSetup)");
  const name = `${CLONE_PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
  const url = databaseUrl(name);
  const db = createDb(options.clientUrl?.(url) ?? url, { maxConnections: options.maxConnections ?? 5, busyTimeoutMs: CALL_TIMEOUT_MS });
  let dropped = false;
  return {
    url,
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.$disconnect();
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    },
  };
}
