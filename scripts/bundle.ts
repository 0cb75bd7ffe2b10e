// Bundles a Node service into dist/<target>/ with esbuild: one .mjs per entry, so the runtime
// image carries no node_modules and no sources. `tsx scripts/bundle.ts api|processor`.
import { copyFile, mkdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";

const targets = {
  api: {
    // wait-for-migrations is the init containers' guard: pods start once their migrations are in.
    entries: { main: "src/server/main.ts", migrate: "scripts/db/migrate.ts", "wait-for-migrations": "scripts/images/wait-for-migrations.ts" },
    // The migration Job runs the wasm schema engine; it is read from beside the bundle.
    assets: [{ from: "@prisma/schema-engine-wasm/schema_engine_bg", file: "schema_engine_bg.wasm" }],
  },
  processor: { entries: { main: "src/processor/main.ts", "wait-for-migrations": "scripts/images/wait-for-migrations.ts" }, assets: [] },
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
    // Optional native bindings that the pure-JS code paths never load.
    external: ["pg-native"],
    // CommonJS dependencies call require(); ESM output needs one.
    banner: { js: "import { createRequire as __lavkaCreateRequire } from 'node:module'; const require = __lavkaCreateRequire(import.meta.url);" },
    logLevel: "warning",
  });
  const resolve = createRequire(import.meta.url).resolve;
  for (const asset of target.assets) {
    await copyFile(path.join(path.dirname(resolve(asset.from)), asset.file), path.join(outdir, asset.file));
  }
  console.log(`bundled ${name} into ${outdir} in ${Date.now() - started} ms`);
}

const name = process.argv[2];
if (name !== "api" && name !== "processor") {
  console.error(`usage: tsx scripts/bundle.ts api|processor (got ${name ?? "nothing"})`);
  process.exit(64);
}
await bundle(name);
