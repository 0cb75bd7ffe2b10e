import { defineConfig, devices } from "@playwright/test";
import { E2E_WEB_PORT } from "./tests/e2e/support/ports";
import { CALL_TIMEOUT_MS, TEST_BUDGET_MS } from "./tests/helpers/wait.ts";

// Browsers come from Debian (apt-get install chromium), never from Playwright's download.
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export default defineConfig({
  testDir: "tests/e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results",
  // The journeys share one running system and its data: run them one after another.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  // Hang detectors, not speed limits (tests/helpers/wait.ts): a busy machine renders pages and
  // moves orders along many times slower; an assertion waits for its condition that long.
  timeout: TEST_BUDGET_MS,
  expect: { timeout: CALL_TIMEOUT_MS },
  reporter: [["list"]],
  globalSetup: "./tests/e2e/support/global-setup.ts",
  use: {
    baseURL: `http://127.0.0.1:${E2E_WEB_PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: chromiumArgs },
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], channel: undefined } },
  ],
});
