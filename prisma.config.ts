import path from "node:path";
import { defineConfig } from "prisma/config";

// The native schema engine is not downloadable in every environment; generate/validate/format
// never run it, they only check that a binary exists. Migrations use the wasm engine.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("scripts/no-schema-engine.sh");
process.env.CHECKPOINT_DISABLE ??= "1";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // Read directly: `env()` would make `generate` fail when no URL is set.
  datasource: { url: process.env.DATABASE_URL },
});
