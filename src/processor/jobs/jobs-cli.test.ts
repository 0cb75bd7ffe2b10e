// The processor as a Kubernetes Job runs it: a real process, exit codes included.
import { spawn } from "node:child_process";
import { freePort } from "../../../scripts/local/system.ts";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../tests/helpers/db";

const ROOT = path.resolve(import.meta.dirname, "../../..");
let t: TestDatabase;

function processor(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["src/processor/main.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: "warn", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.drop());

describe("processor job", () => {
  it("aggregate-sales exits 0 and records a succeeded run", async () => {
    const result = await processor(["job", "aggregate-sales"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/aggregate-sales: succeeded/);
    const runs = await t.db.jobRun.findMany({ where: { name: "aggregate-sales" }, select: { status: true } });
    expect(runs).toEqual([{ status: "succeeded" }]);
  });

  it("an unknown job exits 64", async () => {
    const result = await processor(["job", "nope"]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/Unknown job "nope"/);
  });

  it("bad parameters exit 64 with the parameter named", async () => {
    const result = await processor(["job", "sales-report", "--seller", "x", "--from", "2026-01-01"]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/--seller/);
    expect(result.stderr).toMatch(/--to/);
  });
});

describe("processor modes and configuration", () => {
  it("--help lists the modes and every job with its schedule", async () => {
    const result = await processor(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/processor worker/);
    expect(result.stdout).toMatch(/processor job <name>/);
    expect(result.stdout).toMatch(/aggregate-sales\s+.+\(schedule: .+ UTC\)/);
    expect(result.stdout).toMatch(/forecast/);
  });

  it("an unknown mode exits 64 and shows the usage", async () => {
    const result = await processor(["serve"]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/Unknown mode "serve"/);
    expect(result.stderr).toMatch(/Usage:/);
  });

  it("a missing DATABASE_URL exits 78 naming the variable", async () => {
    const result = await processor(["job", "aggregate-sales"], { DATABASE_URL: undefined });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/DATABASE_URL/);
  });

  it("worker mode without its external services exits 78 naming each missing variable", async () => {
    const result = await processor(["worker"], {
      PROCESSOR_HTTP_PORT: String(await freePort()),
      PAYMENT_GATEWAY_URL: undefined,
      PAYMENT_GATEWAY_KEY: undefined,
      INVENTORY_SERVICE_URL: undefined,
      INVENTORY_SERVICE_TOKEN: undefined,
      CARRIER_URL: undefined,
      CARRIER_API_KEY: undefined,
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/PAYMENT_GATEWAY_URL/);
    expect(result.stderr).not.toMatch(/\bat .+\.ts:\d+/);
  });
});
