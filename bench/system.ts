// Lavka's back end for the benchmarks and the process-level fault tests: the reference external
// services (reference/run.ts), the API and the processor worker as child processes started the way
// scripts/local/system.ts starts them (`node --import tsx src/.../main.ts`, env as in production).
// The web app is left out: these measure the API, and a concurrent `next build` by whoever is
// editing the web would otherwise make every run depend on the web's state.
//
// The database lavka_bench on the machine's PostgreSQL is created, migrated and seeded with
// 100,000 products on first use, and reused afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { applyMigrations } from "../scripts/db/engine.ts";
import { seedDatabase } from "../scripts/db/seed-data.ts";
import { createProgress } from "../scripts/db/progress.ts";
import { freePort } from "../scripts/local/system.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
export const BENCH_PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 100_000);

/** Secrets of this local set-up only; tests grep logs for them. */
export const BENCH_SECRETS = {
  /** reference/run.ts uses one token for all four services. */
  serviceToken: "bench-service-token-0123456789",
  webhookSecret: "bench-carrier-webhook-secret-0123",
};

function adminUrl(): string {
  return process.env.BENCH_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
}

export function benchDatabaseUrl(name = process.env.BENCH_DATABASE ?? "lavka_bench"): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function ensureDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await withClient(adminUrl(), async (admin) => {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  });
}

export interface BenchSystem {
  apiUrl: string;
  databaseUrl: string;
  api: ChildProcess;
  logDir: string;
  stop(): Promise<void>;
}

export interface BenchSystemOptions {
  databaseUrl?: string;
  products?: number;
  /** Seeded orders (with a new database). Default 2,000. */
  orders?: number;
  /** Where service logs go. Default $TMPDIR/lavka-bench/logs. */
  logDir?: string;
  /** Extra environment for the API and worker (e.g. NODE_OPTIONS=--cpu-prof). */
  extraEnv?: Record<string, string>;
  worker?: boolean;
  /** Node flags for the API process (e.g. --cpu-prof, which NODE_OPTIONS does not allow). */
  apiNodeArgs?: string[];
  /** How long each process may take to start answering. Default 60 s. */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", killAfterMs = 15_000): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const kill = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.once("exit", (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    child.kill(signal);
  });
}

/** Any HTTP answer means the server is up. */
async function waitForListening(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`reference services exited with code ${child.exitCode}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${url} not listening within ${timeoutMs} ms`);
}

export async function waitForReady(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode} while starting (${url})`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

export async function startBenchSystem(options: BenchSystemOptions = {}): Promise<BenchSystem> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const databaseUrl = options.databaseUrl ?? benchDatabaseUrl();
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    await ensureDatabase(databaseUrl);
    await applyMigrations(databaseUrl, path.join(ROOT, "prisma/migrations"));
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const logDir = options.logDir ?? path.join(os.tmpdir(), "lavka-bench", "logs");
    await mkdir(logDir, { recursive: true });
    // The reference services in a process of their own: in this one they would share a core with
    // the load generator and measure its contention, not Lavka.
    const ports = { auth: await freePort(), inventory: await freePort(), payment: await freePort(), carrier: await freePort() };
    const urls = Object.fromEntries(Object.entries(ports).map(([k, p]) => [k, `http://127.0.0.1:${p}`])) as Record<keyof typeof ports, string>;
    const reference = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "reference/run.ts",
        "--database-url",
        databaseUrl,
        "--host",
        "127.0.0.1",
        "--service-token",
        BENCH_SECRETS.serviceToken,
        ...Object.entries(ports).flatMap(([k, p]) => [`--${k}-port`, String(p)]),
        "--callback-url",
        `${apiUrl}/webhooks/carrier`,
        "--callback-secret",
        BENCH_SECRETS.webhookSecret,
      ],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    const refLog = createWriteStream(path.join(logDir, "reference.log"), { flags: "a" });
    reference.stdout!.pipe(refLog);
    reference.stderr!.pipe(refLog);
    cleanups.push(() => stopChild(reference));
    await Promise.all(Object.values(urls).map((u) => waitForListening(u, reference, options.startTimeoutMs)));

    const products = options.products ?? BENCH_PRODUCTS;
    const existing = await withClient(databaseUrl, async (c) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Product"`)).rows[0]!.n);
    if (existing === 0) {
      const started = Date.now();
      const progress = createProgress(process.stderr, { label: "seed", unit: "orders" });
      await seedDatabase(databaseUrl, { sellers: 50, products, orders: options.orders ?? 2_000, days: 30, seed: 42, onProgress: progress.update });
      progress.stop();
      // Stock straight into the reference inventory's table: 100,000 HTTP calls would take ~20 min.
      await withClient(databaseUrl, (c) =>
        c.query(`INSERT INTO ref_inventory.stock (sku, on_hand) SELECT sku, 5 + ((row_number() OVER (ORDER BY sku) - 1) * 7) % 40 FROM "Product" ON CONFLICT (sku) DO NOTHING`),
      );
      log(`seeded ${products} products in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: "10",
      LOG_LEVEL: "warn",
      AUTH_SERVICE_URL: urls.auth,
      AUTH_SERVICE_TOKEN: BENCH_SECRETS.serviceToken,
      INVENTORY_SERVICE_URL: urls.inventory,
      INVENTORY_SERVICE_TOKEN: BENCH_SECRETS.serviceToken,
      PAYMENT_GATEWAY_URL: urls.payment,
      PAYMENT_GATEWAY_KEY: BENCH_SECRETS.serviceToken,
      CARRIER_URL: urls.carrier,
      CARRIER_API_KEY: BENCH_SECRETS.serviceToken,
      CARRIER_WEBHOOK_SECRET: BENCH_SECRETS.webhookSecret,
      ...options.extraEnv,
    };
    const spawnService = (name: string, args: string[], extra: Record<string, string>, nodeArgs: string[] = []) => {
      const out = createWriteStream(path.join(logDir, `${name}.log`), { flags: "a" });
      const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", ...args], { cwd: ROOT, env: { ...env, ...extra }, stdio: ["ignore", "pipe", "pipe"] });
      child.stdout!.pipe(out);
      child.stderr!.pipe(out);
      cleanups.push(() => stopChild(child));
      return child;
    };
    const api = spawnService("api", ["src/server/main.ts"], { HOST: "127.0.0.1", PORT: String(apiPort) }, options.apiNodeArgs);
    const waits = [waitForReady(`${apiUrl}/readyz`, api, options.startTimeoutMs)];
    if (options.worker ?? true) {
      const workerPort = await freePort();
      const worker = spawnService("processor-worker", ["src/processor/main.ts", "worker"], { PROCESSOR_HTTP_PORT: String(workerPort) });
      waits.push(waitForReady(`http://127.0.0.1:${workerPort}/readyz`, worker, options.startTimeoutMs));
    }
    await Promise.all(waits);
    return { apiUrl, databaseUrl, api, logDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// `npx tsx bench/system.ts`: prepare (create, migrate, seed) the bench database and stop.
if (import.meta.url === `file://${process.argv[1]}`) {
  const system = await startBenchSystem();
  process.stderr.write(`bench system ready at ${system.apiUrl}\n`);
  await system.stop();
}
