import path from "node:path";
import { defineConfig } from "vitest/config";
import { TEST_BUDGET_MS } from "./tests/helpers/wait.ts";

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
    // Forks keep native/wasm state out of the runner; 2 cores -> 2 workers, each file on its own
    // database. Files share their worker's module cache (no per-file isolation): every file builds
    // its own servers, clients and database, and loading Prisma, tRPC and the routers once per
    // worker instead of once per file took the run from 108 s to 78 s and 132 to 82 CPU-seconds.
    pool: "forks",
    maxWorkers: 2,
    isolate: false,
    // Hang detectors, not speed limits: a busy machine may run a test many times slower (tests/helpers/wait.ts).
    testTimeout: TEST_BUDGET_MS,
    hookTimeout: TEST_BUDGET_MS,
  },
});
