// Bundles a Node service into dist/<target>/ with esbuild: one .mjs per entry, so the runtime
// image carries no node_modules and no sources. `tsx scripts/bundle.ts api|processor`.
import { existsSync } from "node:fs";
import { copyFile, cp, mkdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";

const targets = {
  api: {
    // wait-for-migrations is the init containers' guard: pods start once their migrations are in.
    entries: { main: "src/server/main.ts", migrate: "scripts/db/migrate.ts", "wait-for-migrations": "scripts/images/wait-for-migrations.ts" },
    // The migration Job runs the wasm schema engine; it is read from beside the bundle.
    assets: [{ from: "@prisma/schema-engine-wasm/schema_engine_bg", file: "schema_engine_bg.wasm" }],
    // sharp (photo uploads) loads libvips, a native library, which no bundle can hold: it is
    // installed beside the bundle instead, with its prebuilt binaries for this platform.
    packages: ["sharp"],
  },
  processor: { entries: { main: "src/processor/main.ts", "wait-for-migrations": "scripts/images/wait-for-migrations.ts" }, assets: [], packages: [] },
} as const;

type Target = keyof typeof targets;

async function bundle(name: Target): Promise<void> {
  const target = targets[name];
  const outdir = path.join("dist", name);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const started = Date.now();
  await build({
    entryPoints: target.entries,
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    sourcemap: false,
    minify: false,
    legalComments: "none",
    // Optional native bindings that the pure-JS code paths never load, and the packages copied beside the bundle.
    external: ["pg-native", ...target.packages],
    // CommonJS dependencies call require(); ESM output needs one.
    banner: { js: "import { createRequire as __lavkaCreateRequire } from 'node:module'; const require = __lavkaCreateRequire(import.meta.url);" },
    logLevel: "warning",
  });
  const resolve = createRequire(import.meta.url).resolve;
  for (const asset of target.assets) {
    await copyFile(path.join(path.dirname(resolve(asset.from)), asset.file), path.join(outdir, asset.file));
  }
  for (const pkg of target.packages) await copyPackage(pkg, path.join(outdir, "node_modules"));
  console.log(`bundled ${name} into ${outdir} in ${Date.now() - started} ms`);
}

/**
 * Copies a package and its dependencies (from the installed tree: its own node_modules or the
 * top level) into `into`, where Node finds them from the bundle. sharp's platform binaries are
 * optional dependencies: those installed for this machine are copied, the others are absent.
 */
async function copyPackage(pkg: string, into: string, done = new Set<string>()): Promise<void> {
  if (done.has(pkg)) return;
  done.add(pkg);
  const dir = path.join("node_modules", pkg);
  await cp(dir, path.join(into, pkg), { recursive: true, dereference: true });
  const manifest = createRequire(import.meta.url)(path.resolve(dir, "package.json")) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
  const optional = Object.keys(manifest.optionalDependencies ?? {}).filter((dep) => existsSync(path.join("node_modules", dep)));
  for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...optional]) await copyPackage(dep, into, done);
}

const name = process.argv[2];
if (name !== "api" && name !== "processor") {
  console.error(`usage: tsx scripts/bundle.ts api|processor (got ${name ?? "nothing"})`);
  process.exit(64);
}
await bundle(name);
