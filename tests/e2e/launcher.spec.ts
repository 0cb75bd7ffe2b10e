// `npm start` as a newcomer runs it, on a PostgreSQL database that does not exist yet, stopped the
// way a process manager stops it: one signal to npm's PID alone. Here rather than in vitest
// because it serves the built web app, which the browser tests build first.
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { expect, test } from "@playwright/test";
import { freePort } from "../../scripts/local/system.ts";
import { adminQuery, CLONE_PREFIX, databaseUrl, quoteIdent } from "../helpers/postgres.ts";
import { CALL_TIMEOUT_MS, LONG_TEST_BUDGET_MS } from "../helpers/wait.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Every process below `root`, from `ps`. */
function descendants(root: number): number[] {
  const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of rows) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

/** Running, as opposed to gone or exited and waiting to be reaped (a zombie). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

test("npm start creates and migrates a missing database, and SIGINT to npm's PID alone stops every process", async () => {
  test.setTimeout(LONG_TEST_BUDGET_MS);
  const database = `${CLONE_PREFIX}${Math.floor(Date.now() / 1000)}_start_${randomBytes(4).toString("hex")}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), "lavka-npm-start-"));
  const [webPort, apiPort] = [await freePort(), await freePort()];
  let output = "";
  const npm = spawn("npm", ["start"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl(database),
      LAVKA_DATA_DIR: dataDir,
      WEB_PORT: String(webPort),
      API_PORT: String(apiPort),
      // The browser tests' system runs beside this one: every other listener on a free port.
      PROCESSOR_WORKER_PORT: "0",
      PROCESSOR_CRON_PORT: "0",
      WEB_METRICS_PORT: "0",
      REFERENCE_AUTH_PORT: "0",
      REFERENCE_INVENTORY_PORT: "0",
      REFERENCE_PAYMENT_PORT: "0",
      REFERENCE_CARRIER_PORT: "0",
      MAIL_CATCHER_SMTP_PORT: "0",
      MAIL_CATCHER_WEB_PORT: "0",
    },
  });
  npm.stdout.on("data", (d: Buffer) => (output += d.toString()));
  npm.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
  let processes: number[] = [];
  try {
    // Ready, or gone: a launcher that exits fails here at once, with what it printed.
    const ready = await new Promise<boolean>((resolve) => {
      npm.stdout.on("data", () => output.includes("Lavka is running.") && resolve(true));
      void exited.then(() => resolve(false));
    });
    expect(ready, output).toBe(true);
    expect(output).toContain(`lavka: database: created ${database}`);
    // Seeding's progress: plain lines here (stdout is a pipe, not a terminal), ending at the total.
    expect(output).toMatch(/^lavka: seeding demo data: 3,000 of 3,000 orders \(100%\), [\d,]+ orders\/s, about .+ left$/m);

    const migrations = (await readdir(path.join(ROOT, "prisma/migrations"), { withFileTypes: true })).filter((e) => e.isDirectory()).length;
    const client = new pg.Client({ connectionString: databaseUrl(database) });
    await client.connect();
    try {
      const applied = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`);
      expect(applied.rows[0]!.n).toBe(migrations);
      const products = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Product"`);
      expect(products.rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
    expect((await fetch(`http://127.0.0.1:${webPort}/`)).status).toBe(200);
    // The banner names the local mail server's page, and it is there.
    const mailPort = Number(/^ {2}Mail: +http:\/\/localhost:(\d+) /m.exec(output)?.[1]);
    expect(mailPort, output).toBeGreaterThan(0);
    const mailPage = await fetch(`http://127.0.0.1:${mailPort}/`, { headers: { accept: "text/html" } });
    expect(mailPage.status).toBe(200);
    expect(await mailPage.text()).toContain("MailDev");

    // The launcher, the API, the processor's worker and cron and the web, and whatever they started.
    processes = descendants(npm.pid!);
    expect(processes.length).toBeGreaterThanOrEqual(5);
    process.kill(npm.pid!, "SIGINT");

    await expect.poll(() => processes.filter(running), { timeout: CALL_TIMEOUT_MS, intervals: [250] }).toEqual([]);
    expect(await exited).toBe(0);
    expect(await accepts(webPort)).toBe(false);
    expect(await accepts(apiPort)).toBe(false);
    expect(await accepts(mailPort)).toBe(false);
    expect(output).toContain("lavka: stopping...");
  } finally {
    for (const pid of [npm.pid!, ...processes].filter(running)) process.kill(pid, "SIGKILL");
    await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    await rm(dataDir, { recursive: true, force: true });
  }
});
