// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL, like `prisma migrate deploy`
// (same `_prisma_migrations` bookkeeping), through the wasm schema engine. Idempotent.
// Bundleable into one ESM file for the migration Job (`tsx scripts/bundle.ts api` writes
// dist/api/migrate.mjs); schema_engine_bg.wasm must sit beside the bundle (engine.ts looks there
// first). MIGRATIONS_DIR points at the migrations folder inside the image.
import { z } from "zod";
import { applyMigrations, readMigrations } from "./engine.ts";

const config = z
  .object({
    DATABASE_URL: z
      .string({ error: "DATABASE_URL is not set" })
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// or postgresql:// URL"),
    MIGRATIONS_DIR: z.string().min(1).default("prisma/migrations"),
  })
  .safeParse(process.env);

/** The URL without its password, for log lines. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}

async function main(): Promise<void> {
  if (!config.success) {
      console.error(`db:migrate: ${config.error.issues.map((i) => i.message).join("; ")}`);
    process.exit(2);
  }
  const { DATABASE_URL, MIGRATIONS_DIR } = config.data;
  const list = await readMigrations(MIGRATIONS_DIR);
  if (list.migrationDirectories.length === 0) {
      console.error(`db:migrate: no migrations found in ${list.baseDir}`);
    process.exit(1);
  }
  console.log(`db:migrate: ${list.migrationDirectories.length} migration(s) in ${list.baseDir}`);
  console.log(`db:migrate: target ${redact(DATABASE_URL)}`);
  const started = Date.now();
  const applied = await applyMigrations(DATABASE_URL, MIGRATIONS_DIR, (name) =>
    console.log(`db:migrate: applying ${name}`),
  );
  console.log(
    applied.length === 0
      ? "db:migrate: database is up to date, nothing applied"
      : `db:migrate: applied ${applied.length} migration(s) in ${Date.now() - started} ms`,
  );
}

// Exit explicitly: the wasm engine leaves a ~10 s timer behind that would hold the process open.
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`db:migrate failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
