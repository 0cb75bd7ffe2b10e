// The real `npm start` entry, as a newcomer runs it. Starting the whole system (and SIGINT to
// npm's PID alone) is tests/e2e/launcher.spec.ts: it needs the built web app.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "lavka-start-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function npmStart(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["start"], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm start that fails", () => {
  it("shows only this run's logs, never an earlier run's as if services had started", async () => {
    const logs = path.join(dataDir, "logs");
    await mkdir(logs, { recursive: true });
    const earlier = '{"level":30,"msg":"api listening","note":"written by an earlier run"}';
    await writeFile(path.join(logs, "api.log"), `${earlier}\n`);
    await writeFile(path.join(logs, "web.log"), "✓ Ready in 0ms (an earlier run)\n");

    // Nothing listens on port 1: the database step fails before any service starts.
    const result = await npmStart({ LAVKA_DATA_DIR: dataDir, DATABASE_URL: "postgresql://postgres@127.0.0.1:1/lavka" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("lavka: failed to start:");
    expect(result.stderr).toContain("ECONNREFUSED");
    const output = result.stdout + result.stderr;
    expect(output).not.toContain("earlier run");
    expect(output).not.toMatch(/^--- /m);
    // The earlier run's logs are kept beside, not shown and not lost.
    expect(await readFile(path.join(logs, "api.previous.log"), "utf8")).toContain(earlier);
    expect(await readFile(path.join(logs, "web.previous.log"), "utf8")).toContain("an earlier run");
  });
});
