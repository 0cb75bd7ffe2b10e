// Admin side of the test databases: one template database per migrations hash, cloned per test
// file. Runs in vitest's globalSetup (template) and in the test workers (clones).
import { createHash } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { z } from "zod";
import { applyMigrations, readMigrations } from "../../scripts/db/engine.ts";

const env = z
  .object({
    // A database on the server the tests may create and drop databases in.
    TEST_DATABASE_URL: z.string().default("postgres://postgres@127.0.0.1:5432/postgres"),
  })
  .parse(process.env);

export const adminUrl: string = env.TEST_DATABASE_URL;
export const migrationsDir: string = path.resolve(import.meta.dirname, "../../prisma/migrations");

const TEMPLATE_PREFIX = "lavka_tpl_";
/** Clone names carry their creation time so crashed runs' leftovers can be swept. */
export const CLONE_PREFIX = "lavka_t_";
const STALE_CLONE_SECONDS = 3600;

/** Runs one statement on the admin database over a short-lived connection. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** `url` pointed at another database on the same server. */
export function databaseUrl(database: string, url: string = adminUrl): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Names the template after the migrations' contents, so editing any migration rebuilds it. */
export async function templateName(): Promise<string> {
  const list = await readMigrations(migrationsDir);
  const hash = createHash("sha256");
  for (const m of list.migrationDirectories) {
    hash.update(m.path).update("\0");
    hash.update(m.migrationFile.content.tag === "ok" ? m.migrationFile.content.value : "!missing");
    hash.update("\0");
  }
  return `${TEMPLATE_PREFIX}${hash.digest("hex").slice(0, 16)}`;
}

async function databaseExists(name: string): Promise<boolean> {
  const rows = await adminQuery("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  return rows.length > 0;
}

/**
 * Builds the migrated template if it does not exist yet. It is built under a temporary name and
 * renamed when complete, so concurrent runs (several engineers share one server) never clone a
 * half-migrated template; the loser of the rename race just drops its copy.
 */
export async function ensureTemplateDatabase(): Promise<string> {
  const name = await templateName();
  if (await databaseExists(name)) return markUsed(name);
  const building = `${name}_b${process.pid}`;
  await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(building)} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${quoteIdent(building)}`);
  try {
    await applyMigrations(databaseUrl(building), migrationsDir);
    await adminQuery(`ALTER DATABASE ${quoteIdent(building)} RENAME TO ${quoteIdent(name)}`);
  } catch (err) {
    await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(building)} WITH (FORCE)`);
    if (await databaseExists(name)) return markUsed(name); // another run finished first
    throw err;
  }
  return markUsed(name);
}

/**
 * Stamps a template with the time a run last chose it (as the database's comment), so the sweep
 * leaves alone templates that another checkout on the same server (other migrations) still uses.
 */
async function markUsed(name: string): Promise<string> {
  await adminQuery(`COMMENT ON DATABASE ${quoteIdent(name)} IS '${Math.floor(Date.now() / 1000)}'`);
  return name;
}

/**
 * Drops templates of other migration hashes that no run has chosen for an hour, and clones older
 * than an hour (left by killed runs). Best effort: a database still in use is simply skipped.
 */
export async function sweepStaleDatabases(keepTemplate: string): Promise<void> {
  const rows = await adminQuery<{ datname: string; used: string | null }>(
    "SELECT datname, shobj_description(oid, 'pg_database') AS used FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2",
    [`${TEMPLATE_PREFIX}%`, `${CLONE_PREFIX}%`],
  );
  const now = Math.floor(Date.now() / 1000);
  for (const { datname, used } of rows) {
    let stale = false;
    if (datname.startsWith(TEMPLATE_PREFIX)) {
      // Never touch one being built; a template without a stamp predates stamping.
      stale = datname !== keepTemplate && !datname.includes("_b") && now - Number(used ?? 0) > STALE_CLONE_SECONDS;
    } else {
      const created = Number(datname.slice(CLONE_PREFIX.length).split("_")[0]);
      stale = Number.isFinite(created) && now - created > STALE_CLONE_SECONDS;
    }
    if (!stale) continue;
    await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(datname)}`).catch(() => undefined);
  }
}
