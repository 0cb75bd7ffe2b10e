// Diffs that need a scratch database run on an in-memory PGlite: no server needed, and the
// engine's own shadow-database path (createMigration) does not work in the wasm build.
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import {
  diffLiveToSchema,
  NO_FILTER,
  normalizeScript,
  type OwnedFactory,
  readMigrations,
  schemaFile,
  wholeScripts,
  withEngine,
} from "./engine.ts";

function pgliteFactory(pglite: PGlite): OwnedFactory {
  return wholeScripts(new PrismaPGlite(pglite), (_adapter, script) => pglite.exec(script));
}

/**
 * The SQL that turns schema `fromPath` into schema `toPath`, from an empty database when
 * `fromPath` is null. Pure schema work, but the engine insists on a live connection, so it gets
 * a throwaway PGlite (the driver-adapter-utils mock factory makes it fail on start-up).
 */
export async function diffSchemas(fromPath: string | null, toPath: string): Promise<string> {
  const to = await schemaFile(toPath);
  const from = fromPath === null ? null : await schemaFile(fromPath);
  const pglite = new PGlite();
  try {
    const out = await withEngine(pgliteFactory(pglite), [[to.path, to.content]], "diffing", (engine) =>
      engine.diff({
        from: from === null ? { tag: "empty" } : { tag: "schemaDatamodel", files: [from] },
        to: { tag: "schemaDatamodel", files: [to] },
        script: true,
        exitCode: null,
        filters: NO_FILTER,
      }),
    );
    return normalizeScript(out.stdout);
  } finally {
    await pglite.close();
  }
}

/** The SQL that creates `schemaPath` from an empty database. */
export function diffEmptyToSchema(schemaPath: string): Promise<string> {
  return diffSchemas(null, schemaPath);
}

/**
 * The SQL that brings the database the migrations produce up to `schemaPath`: the migrations are
 * applied to an in-memory PGlite, then that live database is diffed. Empty string: no drift.
 */
export async function diffMigrationsToSchema(migrationsDir: string, schemaPath: string): Promise<string> {
  const file = await schemaFile(schemaPath);
  const migrationsList = await readMigrations(migrationsDir);
  const pglite = new PGlite();
  try {
    const factory = pgliteFactory(pglite);
    await withEngine(factory, [[file.path, file.content]], "applying migrations to PGlite", (engine) =>
      engine.applyMigrations({ migrationsList, filters: NO_FILTER }),
    );
    return await diffLiveToSchema(factory, file);
  } finally {
    await pglite.close();
  }
}
