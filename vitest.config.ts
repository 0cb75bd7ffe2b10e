import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: [{ find: /^~\//, replacement: `${path.resolve(import.meta.dirname, "src")}/` }],
  },
  test: {
    include: [
      "src/**/*.test.ts",
      "scripts/**/*.test.ts",
      "reference/**/*.test.ts",
      "tests/**/*.test.ts",
    ],
    // tests/e2e is Playwright's.
    exclude: ["**/node_modules/**", "tests/e2e/**"],
    globalSetup: ["tests/global-setup.ts"],
    // Forks isolate native/wasm state per file; 2 cores -> 2 workers, each file on its own database.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
