// Prisma's schema engine, run as WebAssembly: the native binary cannot be downloaded here, and
// the wasm build does the same work (diff, applyMigrations) through a JS driver adapter.
// Migrations stay in Prisma's own layout, so `prisma migrate deploy` works on the same folder
// wherever the native engine exists. PGlite-based diffing lives in engine-pglite.ts so that the
// bundled migration Job (scripts/db/migrate.ts) carries no PGlite.
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { MigrationList, SchemaEngine, SchemaFilter } from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { Pool } from "pg";

export type { MigrationList } from "@prisma/schema-engine-wasm/schema_engine_bg";

const WASM_FILE = "schema_engine_bg.wasm";
// The engine wants at least one schema file but applying migrations reads only the provider,
// so the migration Job needs no copy of schema.prisma.
const DATASOURCE_ONLY: [string, string] = ["schema.prisma", 'datasource db {\n  provider = "postgresql"\n}\n'];
export const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

/** Where the engine's .wasm lives: beside this file when bundled, else inside the npm package. */
export function locateEngineWasm(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, WASM_FILE);
  if (existsSync(beside)) return beside;
  // The package's exports map hides the .wasm itself, so resolve its JS sibling.
  const bg = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  return path.join(path.dirname(bg), WASM_FILE);
}

let loading: Promise<void> | undefined;

/**
 * Instantiates the wasm module once per process. Node 20 cannot `import` a .wasm file without
 * --experimental-wasm-modules, so this does by hand what the package's schema_engine.js does.
 */
export function loadEngine(wasmPath: string = locateEngineWasm()): Promise<void> {
  loading ??= (async () => {
    // The Rust panic hook reports its message here before the JS error is thrown.
    const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(m: string): void } };
    g.PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message: (message) => {
        lastPanic = message;
      },
    };
    const bytes = await readFile(wasmPath);
    const { instance } = await WebAssembly.instantiate(bytes, {
      "./schema_engine_bg.js": bindings as unknown as WebAssembly.ModuleImports,
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return loading;
}

let lastPanic: string | undefined;

export class EngineError extends Error {
  override name = "EngineError";
}

/** The engine rejects with plain objects or strings; turn those into readable Errors. */
function toError(err: unknown, action: string): EngineError {
  const panic = lastPanic;
  lastPanic = undefined;
  let detail: string;
  if (err instanceof Error) detail = err.message;
  else if (typeof err === "string") detail = err;
  else {
    const e = err as { message?: unknown; error?: unknown } | null;
    detail = typeof e?.message === "string" ? e.message : JSON.stringify(err);
  }
  if (panic) detail += `\n(engine panic: ${panic})`;
  return new EngineError(`${action} failed: ${detail}`, { cause: err });
}

export interface EngineLogEntry {
  level: string;
  message: string;
}

/** Default log sink: the engine logs every step at INFO; only warnings and errors matter. */
function logProblems(entry: EngineLogEntry): void {
  if (entry.level === "ERROR" || entry.level === "WARN") console.error(`schema engine ${entry.level}: ${entry.message}`);
}

export async function withEngine<T>(
  factory: OwnedFactory,
  datamodels: [string, string][],
  action: string,
  run: (engine: SchemaEngine) => Promise<T>,
  onLog: (entry: EngineLogEntry) => void = logProblems,
): Promise<T> {
  await loadEngine();
  // Each call is one JSON line: {"level":"INFO","fields":{"message":...},...}.
  const log = (line: string) => {
    try {
      const parsed = JSON.parse(line) as { level?: string; fields?: { message?: string } };
      onLog({ level: parsed.level ?? "INFO", message: parsed.fields?.message ?? line });
    } catch {
      onLog({ level: "INFO", message: line });
    }
  };
  let engine: SchemaEngine | undefined;
  try {
    engine = await bindings.SchemaEngine.new(
      { datamodels },
      log,
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    return await run(engine);
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw toError(err, action);
  } finally {
    engine?.free();
    await factory.close();
  }
}

/**
 * Makes the adapter send each migration script as ONE simple-protocol query, as the native
 * engine does. adapter-pg splits scripts on ";" (breaking $$-quoted function bodies) and runs the
 * pieces one by one; a single multi-statement query also runs in Postgres' implicit transaction,
 * so a failing migration leaves nothing half-applied. The PGlite adapter does not await its exec,
 * so its errors would be lost.
 */
export function wholeScripts(
  inner: SqlMigrationAwareDriverAdapterFactory,
  exec: (adapter: SqlDriverAdapter, script: string) => Promise<unknown>,
  tweak?: (adapter: SqlDriverAdapter) => void,
): OwnedFactory {
  const opened: SqlDriverAdapter[] = [];
  const patch = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    opened.push(adapter);
    tweak?.(adapter);
    // Both adapters turn driver errors into Prisma's DriverAdapterError in a method of this name.
    const onError = (adapter as unknown as { onError?: (err: unknown) => never }).onError?.bind(adapter);
    adapter.executeScript = async (script) => {
      try {
        await exec(adapter, script);
      } catch (err) {
        if (onError) onError(err);
        throw err;
      }
    };
    return adapter;
  };
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => patch(await inner.connect()),
    connectToShadowDb: async () => patch(await inner.connectToShadowDb()),
    // The engine never disposes its connections; an open pg pool would keep the process alive.
    async close() {
      await Promise.allSettled(opened.splice(0).map((a) => a.dispose()));
    },
  };
}

export interface OwnedFactory extends SqlMigrationAwareDriverAdapterFactory {
  close(): Promise<void>;
}

const PG_CHAR_OID = 18; // the one-byte "char" type of pg_catalog columns such as relkind
const PG_TEXT_OID = 25;

interface PgAdapterInternals {
  underlyingDriver(): Pool;
  performIO(query: unknown): Promise<{ fields: { dataTypeID: number }[] }>;
}

function pgFactory(databaseUrl: string): OwnedFactory {
  return wholeScripts(
    new PrismaPg({ connectionString: databaseUrl, max: 1 }),
    // adapter-pg exposes its pg.Pool here; the shared SqlDriverAdapter type does not declare it.
    (adapter, script) => (adapter as unknown as PgAdapterInternals).underlyingDriver().query(script),
    (adapter) => {
      // Introspection reads pg_catalog "char" columns, which adapter-pg refuses to type
      // ("Column type 'char' could not be deserialized"); the engine accepts them as text.
      const internals = adapter as unknown as PgAdapterInternals;
      const performIO = internals.performIO.bind(adapter);
      internals.performIO = async (query) => {
        const result = await performIO(query);
        for (const field of result.fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
        return result;
      };
    },
  );
}

/** Reads a migrations folder the way the Prisma CLI does (sorted by directory name). */
export async function readMigrations(migrationsDir: string): Promise<MigrationList> {
  const baseDir = path.resolve(migrationsDir);
  const lockPath = "migration_lock.toml";
  const lockContent = await readFile(path.join(baseDir, lockPath), "utf8").catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const dirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
  const migrationDirectories = await Promise.all(
    dirs.map(async (name) => {
      const file = "migration.sql";
      const content = await readFile(path.join(baseDir, name, file), "utf8").then(
        (value) => ({ tag: "ok" as const, value }),
        (err: Error) => ({ tag: "error" as const, value: err.message }),
      );
      return { path: name, migrationFile: { path: file, content } };
    }),
  );
  return {
    baseDir,
    lockfile: { path: lockPath, content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/**
 * Applies every pending migration to a PostgreSQL database; returns the names just applied.
 * `onApplying` hears each migration's name as it starts, so a slow one shows up in the logs.
 */
export async function applyMigrations(
  databaseUrl: string,
  migrationsDir: string,
  onApplying?: (migrationName: string) => void,
): Promise<string[]> {
  const migrationsList = await readMigrations(migrationsDir);
  const factory = pgFactory(databaseUrl);
  const out = await withEngine(
    factory,
    [DATASOURCE_ONLY],
    "applying migrations",
    (engine) => engine.applyMigrations({ migrationsList, filters: NO_FILTER }),
    (entry) => {
      const applying = /^Applying `(.+)`$/.exec(entry.message);
      if (applying?.[1] && onApplying) onApplying(applying[1]);
      else logProblems(entry);
    },
  );
  return out.appliedMigrationNames;
}

export interface SchemaFile {
  path: string;
  content: string;
}

export async function schemaFile(schemaPath: string): Promise<SchemaFile> {
  const abs = path.resolve(schemaPath);
  return { path: abs, content: await readFile(abs, "utf8") };
}

/** The SQL that brings the live PostgreSQL database at `databaseUrl` to `schemaPath` ("" if none). */
export async function diffDatabaseToSchema(databaseUrl: string, schemaPath: string): Promise<string> {
  return diffLiveToSchema(pgFactory(databaseUrl), await schemaFile(schemaPath));
}

/** Diffs the database behind `factory` to a schema file. */
export async function diffLiveToSchema(factory: OwnedFactory, file: SchemaFile): Promise<string> {
  const out = await withEngine(factory, [[file.path, file.content]], "diffing", (engine) =>
    engine.diff({
      // "The schema's datasource" is whatever database the adapter is connected to; the engine
      // refuses a { tag: "url" } source since Prisma 7.
      from: { tag: "schemaDatasource", files: [file], configDir: path.dirname(file.path) },
      to: { tag: "schemaDatamodel", files: [file] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    }),
  );
  return normalizeScript(out.stdout);
}

/** The engine says "-- This is an empty migration." for no change; callers want "". */
export function normalizeScript(stdout: string | null): string {
  const sql = (stdout ?? "").trim();
  if (sql === "" || /^-- This is an empty migration\.?$/.test(sql)) return "";
  return `${sql}\n`;
}
