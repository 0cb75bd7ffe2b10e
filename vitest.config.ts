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
    // Forks isolate native/wasm state per file; 2 cores -> 2 workers, each file on its own database.
    pool: "forks",
    maxWorkers: 2,
    // Hang detectors, not speed limits: a busy machine may run a test many times slower (tests/helpers/wait.ts).
    testTimeout: TEST_BUDGET_MS,
    hookTimeout: TEST_BUDGET_MS,
  },
});
