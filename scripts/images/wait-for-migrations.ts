// Init-container guard: waits until the database has every migration this image was built with
// (the folders under prisma/migrations, copied into the image) recorded as finished in
// `_prisma_migrations`, then exits 0. The db-migrate Job applies them; API and worker pods
// wait here so that new code never runs against an older schema.
//
//   node dist/api/wait-for-migrations.mjs [--timeout SECONDS]
//
// Environment: DATABASE_URL (required), MIGRATIONS_DIR (default prisma/migrations, as for
// migrate.mjs). Exit codes: 0 ready, 1 timed out, 64 usage error, 78 bad configuration.
// Bundled by the Dockerfile with esbuild (pg included); read-only: it never changes the database.
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

const POLL_MS = 2_000;

export interface WaitOptions {
  databaseUrl: string;
  migrationsDir: string;
  timeoutMs: number;
  log?: (line: string) => void;
}

/** Migration folder names in Prisma's layout: <timestamp>_<name>/migration.sql. */
export async function expectedMigrations(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sql = await stat(path.join(dir, entry.name, "migration.sql")).catch(() => undefined);
    if (sql?.isFile()) names.push(entry.name);
  }
  return names.sort();
}

/** Splits Prisma's `?schema=` off the URL: pg does not know it, Prisma keeps its table there. */
export function connectionFor(databaseUrl: string): { connectionString: string; schema: string } {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get("schema") ?? "public";
  url.searchParams.delete("schema");
  return { connectionString: url.toString(), schema };
}

/** Names of migrations recorded as finished and not rolled back; empty if the table is missing. */
async function appliedMigrations(databaseUrl: string): Promise<Set<string>> {
  const { connectionString, schema } = connectionFor(databaseUrl);
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
  await client.connect();
  try {
    const table = `${client.escapeIdentifier(schema)}."_prisma_migrations"`;
    const exists = await client.query<{ found: string | null }>("SELECT to_regclass($1)::text AS found", [table]);
    if (!exists.rows[0]?.found) return new Set();
    const rows = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM ${table} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    return new Set(rows.rows.map((r) => r.migration_name));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Resolves true once every expected migration is applied, false at the timeout. */
export async function waitForMigrations(options: WaitOptions): Promise<boolean> {
  const log = options.log ?? ((line: string) => console.log(line));
  const expected = await expectedMigrations(options.migrationsDir);
  const deadline = Date.now() + options.timeoutMs;
  let lastReport = 0;
  for (;;) {
    let missing: string[];
    let problem: string | undefined;
    try {
      const applied = await appliedMigrations(options.databaseUrl);
      missing = expected.filter((name) => !applied.has(name));
    } catch (err) {
      missing = expected;
      problem = err instanceof Error ? err.message : String(err);
    }
    if (missing.length === 0 && !problem) {
      log(`wait-for-migrations: all ${expected.length} migration(s) applied`);
      return true;
    }
    if (Date.now() - lastReport >= 10_000) {
      lastReport = Date.now();
      log(
        problem
          ? `wait-for-migrations: database not reachable yet (${problem})`
          : `wait-for-migrations: waiting for ${missing.length} migration(s), first ${missing[0]}`,
      );
    }
    if (Date.now() + POLL_MS > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function parseTimeout(argv: string[]): number | undefined {
  if (argv.length === 0) return 300;
  if (argv.length === 2 && argv[0] === "--timeout" && /^\d+$/.test(argv[1] ?? "")) return Number(argv[1]);
  return undefined;
}

async function main(): Promise<number> {
  const timeout = parseTimeout(process.argv.slice(2));
  if (timeout === undefined) {
    console.error("usage: wait-for-migrations [--timeout SECONDS]");
    return 64;
  }
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    console.error("wait-for-migrations: DATABASE_URL must be a postgres:// or postgresql:// URL");
    return 78;
  }
  const migrationsDir = process.env.MIGRATIONS_DIR || "prisma/migrations";
  const ok = await waitForMigrations({ databaseUrl, migrationsDir, timeoutMs: timeout * 1000 });
  if (!ok) console.error(`wait-for-migrations: gave up after ${timeout} s; is the db-migrate Job done?`);
  return ok ? 0 : 1;
}

// Run as a program (the bundle), not when imported by tests.
if (process.argv[1] && /wait-for-migrations\.(mjs|ts)$/.test(process.argv[1])) {
  process.on("SIGTERM", () => process.exit(143));
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`wait-for-migrations failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
