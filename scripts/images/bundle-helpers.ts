// Bundles the image helpers (today: wait-for-migrations) into a service's dist folder, the same
// way scripts/bundle.ts bundles the services: one self-contained .mjs, no node_modules needed.
//   tsx scripts/images/bundle-helpers.ts dist/api
import { build } from "esbuild";

const outdir = process.argv[2];
if (!outdir) {
  console.error("usage: tsx scripts/images/bundle-helpers.ts OUTDIR");
  process.exit(64);
}
await build({
  entryPoints: { "wait-for-migrations": "scripts/images/wait-for-migrations.ts" },
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: false,
  legalComments: "none",
  external: ["pg-native"],
  banner: { js: "import { createRequire as __lavkaCreateRequire } from 'node:module'; const require = __lavkaCreateRequire(import.meta.url);" },
  logLevel: "warning",
});
console.log(`bundled image helpers into ${outdir}`);
