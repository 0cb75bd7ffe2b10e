// The processor killed in the middle of a job: `processor job aggregate-sales` (as the Kubernetes
// Job runs it) gets SIGKILL while it works; a rerun must leave exactly the tables a clean run
// produces from the same data. About a minute (seeding 40,000 orders): runs with LAVKA_LONG_TESTS=1.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDatabase } from "../../scripts/db/seed-data.ts";
import { adminQuery, createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { databaseUrl, quoteIdent } from "../helpers/postgres.ts";
import { exitOf } from "../helpers/processes.ts";
import { LONG_TEST_BUDGET_MS, waitFor } from "../helpers/wait.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TABLES = { SalesHourly: ["hour", "productId", "currency"], SalesRollup: ["dimension", "grain", "key", "bucket", "currency"] } as const;

let killed: TestDatabase;
let cleanName: string;

function startJob(url: string): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "src/processor/main.ts", "job", "aggregate-sales"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", DATABASE_URL: url, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** The aggregate tables' content, every column but the bookkeeping timestamp, in key order. */
async function snapshot(url: string): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: Record<string, string[]> = {};
    for (const [table, key] of Object.entries(TABLES)) {
      const { rows } = await client.query<{ row: string }>(
        `SELECT (to_jsonb(t) - 'updatedAt')::text AS row FROM ${quoteIdent(table)} t ORDER BY ${key.map((k) => `${quoteIdent(k)}::text`).join(", ")}`,
      );
      out[table] = rows.map((r) => r.row);
    }
    return out;
  } finally {
    await client.end();
  }
}

describe.runIf(process.env.LAVKA_LONG_TESTS === "1")("processor killed mid-job", () => {
beforeAll(async () => {
  killed = await createTestDatabase();
  // Enough history that the job is still working when it is killed.
  await seedDatabase(killed.url, { sellers: 10, products: 400, orders: 40_000, days: 180, seed: 7, end: new Date("2026-11-01T00:00:00Z") });
  // The clean run's database: a byte-for-byte copy of the seeded one.
  await killed.db.$disconnect();
  cleanName = `${new URL(killed.url).pathname.slice(1)}_clean`;
  await adminQuery(`CREATE DATABASE ${quoteIdent(cleanName)} TEMPLATE ${quoteIdent(new URL(killed.url).pathname.slice(1))}`);
}, LONG_TEST_BUDGET_MS);

afterAll(async () => {
  if (cleanName) await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(cleanName)} WITH (FORCE)`);
  await killed?.drop();
});

it("SIGKILL mid-job, then a rerun: the same aggregates as one clean run", async () => {
  const job = startJob(killed.url);
  let stderr = "";
  job.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  // Kill once the job is visibly at work: its transaction has started rebuilding the sales tables.
  const probe = new pg.Client({ connectionString: killed.url });
  await probe.connect();
  try {
    await waitFor(
      async () => {
        if (job.exitCode !== null) throw new Error(`the job finished before it could be killed; seed more data. stderr: ${stderr}`);
        const { rows } = await probe.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' AND query ~ 'Sales(Hourly|Rollup)|sales_lines'`,
        );
        return rows.length > 0;
      },
      { describe: "the job to rebuild the sales tables", intervalMs: 20 },
    );
    expect(job.exitCode, "still running when killed").toBeNull();
    job.kill("SIGKILL");
    expect((await exitOf(job)).signal).toBe("SIGKILL");
  } finally {
    await probe.end();
  }

  const rerun = startJob(killed.url);
  expect((await exitOf(rerun)).code).toBe(0);
  const clean = startJob(databaseUrl(cleanName));
  expect((await exitOf(clean)).code).toBe(0);

  const [afterKill, afterClean] = await Promise.all([snapshot(killed.url), snapshot(databaseUrl(cleanName))]);
  expect(afterClean.SalesHourly!.length).toBeGreaterThan(0);
  expect(afterKill.SalesHourly!.length).toBe(afterClean.SalesHourly!.length);
  expect(afterKill).toEqual(afterClean);
}, LONG_TEST_BUDGET_MS);
});
