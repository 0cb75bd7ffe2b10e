// Brings the whole of Lavka up on one machine: the database (PostgreSQL from a URL, or PGlite on
// disk), migrations, the reference external services, a mail catcher (MailDev), demo data, then
// the API, the processor (worker and cron) and the built web app as child processes. `npm start` and the browser tests
// both use it, so what the tests exercise is what a newcomer runs.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, rename, stat } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { startAuthService } from "../../reference/auth/server.ts";
import { startCarrierService } from "../../reference/carrier/server.ts";
import { startInventoryService } from "../../reference/inventory/server.ts";
import { startPaymentService } from "../../reference/payment/server.ts";
import { createDb } from "../../src/lib/db.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { refreshAllAnalytics } from "../../src/core/domain/analytics/refresh-all.ts";
import { createAuthClient } from "../../src/core/integrations/auth.ts";
import { createInventoryClient } from "../../src/core/integrations/inventory.ts";
import { applyMigrations } from "../db/engine.ts";
import type { Progress } from "../db/progress.ts";
import { seedDatabase, type DemoUser, type SeedOptions } from "../db/seed-data.ts";
import { ensureDatabase } from "./ensure-database.ts";
import { startMailCatcher } from "./mail-catcher.ts";
import { startPgliteServer } from "./pglite-server.ts";
import { ROOT, run } from "./run.ts";

/** Photo storage settings `npm start` passes on to the API and the processor when they are set (README, Configuration). */
const STORAGE_PASSTHROUGH = ["STORAGE_BACKEND", "S3_BUCKET", "S3_ENDPOINT", "S3_REGION", "S3_FORCE_PATH_STYLE", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "PHOTO_MAX_BYTES", "PHOTO_MAX_PIXELS"];

export interface SystemOptions {
  /** PostgreSQL URL; without one, PGlite on disk in `dataDir` serves the database. */
  databaseUrl?: string;
  /** RabbitMQ URL; without one, the processor feeds its consumers from the outbox table. */
  amqpUrl?: string;
  /** Where PGlite data and service logs live. */
  dataDir: string;
  webPort: number;
  /** The web's /metrics listener (WEB_METRICS_PORT); 0 or absent picks a free port. */
  webMetricsPort?: number;
  /** Where links in mail point; default http://localhost:<webPort>, as the start banner shows the shop. */
  publicWebUrl?: string;
  /** 0 picks free ports (tests); `npm start` uses the documented defaults. */
  apiPort: number;
  processorPorts: { worker: number; cron: number };
  referencePorts: { auth: number; inventory: number; payment: number; carrier: number };
  /** The mail catcher's SMTP port and web page. */
  mailPorts: { smtp: number; web: number };
  /** A real SMTP server for the processor's mail instead of the mail catcher. */
  smtp?: { host: string; port: number; tls: "starttls" | "tls" | "none"; user?: string; password?: string };
  /** Demo data for an empty database; null to start empty. */
  seed: Partial<SeedOptions> | null;
  /** Shows how far seeding has got (orders written of the total); stopped when it ends. */
  seedProgress?: Progress;
  /** Run the processor in cron mode as well (the hourly jobs). */
  cron: boolean;
  /** Carrier moves shipments along by itself every this many ms (0: only when told). */
  carrierAutoAdvanceMs: number;
  /**
   * Real external services to use instead of the reference ones, each with its URL and credential
   * (AUTH_SERVICE_URL/TOKEN, INVENTORY_SERVICE_URL/TOKEN, PAYMENT_GATEWAY_URL/KEY, CARRIER_URL/API_KEY).
   */
  external?: Partial<Record<"auth" | "inventory" | "payment" | "carrier", { url: string; secret: string }>>;
  /** Hot reload: `next dev` for the web, `tsx watch` for the API and processor. */
  dev?: boolean;
  /** Extra environment for every service child (e.g. short retry delays in tests). */
  extraEnv?: Record<string, string>;
  /** Aborting it during startup stops what was started so far; startSystem then rejects with its reason. */
  signal?: AbortSignal;
  log: (line: string) => void;
}

export const DEMO_PASSWORD = "lavka-demo-password";
export const DEMO_ACCOUNTS = {
  admin: { email: "admin@lavka.test", displayName: "Lavka Admin" },
  seller: { email: "seller@lavka.test", displayName: "Demo Seller" },
  buyer: { email: "buyer@lavka.test", displayName: "Demo Buyer" },
} as const;

export interface RunningSystem {
  webUrl: string;
  /** The web's /metrics, on its own port. */
  webMetricsUrl: string;
  apiUrl: string;
  databaseUrl: string;
  referenceUrls: { auth: string; inventory: string; payment: string; carrier: string };
  /** The mail catcher's web page (its REST API under /api), or null when a real SMTP server takes the mail. */
  mailUrl: string | null;
  demoUsers: DemoUser[];
  /** Resolves when a service child exits on its own (a crash), with its name. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** Secrets shared between the API, processor and the reference services on this machine only. */
export const LOCAL_SECRETS = {
  serviceToken: "local-service-token-change-me",
  paymentKey: "local-payment-key-change-me",
  carrierKey: "local-carrier-key-change-me",
  webhookSecret: "local-carrier-webhook-secret",
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, name: string, signal?: AbortSignal, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} while starting`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not become ready at ${url} within ${timeoutMs} ms`);
}

const NEXT_CLI = path.join(ROOT, "node_modules/next/dist/bin/next");

/** Builds the web app when there is no build or the sources changed since the last one. */
async function ensureWebBuild(log: (line: string) => void, signal?: AbortSignal): Promise<string> {
  const buildId = path.join(ROOT, ".next/BUILD_ID");
  const standalone = path.join(ROOT, ".next/standalone");
  let stale = !existsSync(buildId) || !existsSync(path.join(standalone, "server.js"));
  if (!stale) {
    const built = (await stat(buildId)).mtimeMs;
    const { stdout } = await run("git", ["ls-files", "-m", "-o", "--exclude-standard", "src/app", "src/web", "src/lib", "src/core", "src/client", "public"], { signal });
    const newest = await Promise.all(
      ["src/app", "src/web", "public", "next.config.ts", ...stdout.split("\n").filter(Boolean)].map(async (p) =>
        existsSync(path.join(ROOT, p)) ? (await stat(path.join(ROOT, p))).mtimeMs : 0,
      ),
    );
    stale = newest.some((m) => m > built);
  }
  if (stale) {
    log("building the web app (next build)...");
    const result = await run(process.execPath, [NEXT_CLI, "build"], { env: { NEXT_TELEMETRY_DISABLED: "1" }, signal });
    if (result.code !== 0) throw new Error(`next build failed:\n${result.stdout}\n${result.stderr}`);
  }
  // Standalone output serves static assets only when they sit beside server.js.
  await cp(path.join(ROOT, ".next/static"), path.join(standalone, ".next/static"), { recursive: true });
  await cp(path.join(ROOT, "public"), path.join(standalone, "public"), { recursive: true });
  return path.join(standalone, "server.js");
}

/** Registers the demo accounts with the auth service (idempotent: existing ones just log in). */
async function demoAccounts(authUrl: string, serviceToken: string): Promise<NonNullable<SeedOptions["demoUsers"]>> {
  const auth = createAuthClient({ baseUrl: authUrl, serviceToken, logger: createLogger("launcher", "silent") });
  const ensure = async (role: "buyer" | "seller", account: { email: string; displayName: string }) => {
    try {
      return (await auth.register({ ...account, password: DEMO_PASSWORD, role })).user;
    } catch {
      return (await auth.login({ email: account.email, password: DEMO_PASSWORD })).user;
    }
  };
  const admin = (await auth.login({ email: DEMO_ACCOUNTS.admin.email, password: DEMO_PASSWORD })).user;
  const seller = await ensure("seller", DEMO_ACCOUNTS.seller);
  const buyer = await ensure("buyer", DEMO_ACCOUNTS.buyer);
  const pick = (u: { id: string; email: string; displayName: string }) => ({ id: u.id, email: u.email, displayName: u.displayName });
  return { admin: pick(admin), seller: pick(seller), buyer: pick(buyer) };
}

/** Gives every seeded product a stock record, so the demo shop can sell. */
async function stockProducts(databaseUrl: string, inventoryUrl: string, serviceToken: string): Promise<number> {
  const inventory = createInventoryClient({ baseUrl: inventoryUrl, serviceToken, logger: createLogger("launcher", "silent") });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ sku: string }>(`SELECT sku FROM "Product" ORDER BY sku`);
    for (const [i, { sku }] of rows.entries()) await inventory.setStock(sku, 5 + ((i * 7) % 40));
    return rows.length;
  } finally {
    await client.end();
  }
}

async function isEmpty(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Product"`);
    return rows[0]!.n === 0;
  } finally {
    await client.end();
  }
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { log, signal } = options;
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    await setAsidePreviousLogs(options.dataDir);
    signal?.throwIfAborted();

    let databaseUrl = options.databaseUrl;
    if (databaseUrl) {
      if ((await ensureDatabase(databaseUrl)) === "created") log(`database: created ${decodeURIComponent(new URL(databaseUrl).pathname.slice(1))}`);
    } else {
      const pglite = await startPgliteServer({ dataDir: path.join(options.dataDir, "pglite"), port: 0 });
      cleanups.push(() => pglite.close());
      databaseUrl = pglite.url;
      log(`database: PGlite in ${path.join(options.dataDir, "pglite")} (set DATABASE_URL to use PostgreSQL)`);
    }
    // Few connections per service keep PGlite's single session from queueing too deep.
    const poolMax = options.databaseUrl ? "10" : "3";

    signal?.throwIfAborted();
    const applied = await applyMigrations(databaseUrl, path.join(ROOT, "prisma/migrations"));
    log(`migrations: ${applied.length > 0 ? `applied ${applied.join(", ")}` : "up to date"}`);
    signal?.throwIfAborted();

    const quiet = createLogger("reference", "warn");
    const external = options.external ?? {};
    const apiPort = options.apiPort || (await freePort());
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    /** A reference service, unless a real one was configured. */
    const reference = async (name: keyof NonNullable<SystemOptions["external"]>, start: () => Promise<{ url: string; close(): Promise<void> }>) => {
      const real = external[name];
      if (real) return real.url;
      const service = await start();
      cleanups.push(() => service.close());
      return service.url;
    };
    const referenceUrls = {
      auth: await reference("auth", () =>
        startAuthService({
          databaseUrl,
          port: options.referencePorts.auth,
          serviceToken: LOCAL_SECRETS.serviceToken,
          bootstrapAdmin: { email: DEMO_ACCOUNTS.admin.email, password: DEMO_PASSWORD, displayName: DEMO_ACCOUNTS.admin.displayName },
          logger: quiet,
        }),
      ),
      inventory: await reference("inventory", () =>
        startInventoryService({
          databaseUrl,
          port: options.referencePorts.inventory,
          serviceToken: LOCAL_SECRETS.serviceToken,
          sweepIntervalMs: 30_000,
          logger: quiet,
        }),
      ),
      payment: await reference("payment", () =>
        startPaymentService({ databaseUrl, port: options.referencePorts.payment, serviceToken: LOCAL_SECRETS.paymentKey, logger: quiet }),
      ),
      carrier: await reference("carrier", () =>
        startCarrierService({
          databaseUrl,
          port: options.referencePorts.carrier,
          serviceToken: LOCAL_SECRETS.carrierKey,
          callbackUrl: `${apiUrl}/webhooks/carrier`,
          callbackSecret: LOCAL_SECRETS.webhookSecret,
          autoAdvanceMs: options.carrierAutoAdvanceMs,
          logger: quiet,
        }),
      ),
    };
    const secrets = {
      auth: external.auth?.secret ?? LOCAL_SECRETS.serviceToken,
      inventory: external.inventory?.secret ?? LOCAL_SECRETS.serviceToken,
      payment: external.payment?.secret ?? LOCAL_SECRETS.paymentKey,
      carrier: external.carrier?.secret ?? LOCAL_SECRETS.carrierKey,
    };
    let mailUrl: string | null = null;
    let smtpEnv: Record<string, string>;
    if (options.smtp) {
      const { host, port, tls, user, password } = options.smtp;
      smtpEnv = { SMTP_HOST: host, SMTP_PORT: String(port), SMTP_TLS: tls, ...(user ? { SMTP_USER: user, SMTP_PASSWORD: password ?? "" } : {}) };
      log(`mail: through ${host}:${port}`);
    } else {
      // Caught mail stays in the data folder, so it is still there after a restart.
      const catcher = await startMailCatcher({ smtpPort: options.mailPorts.smtp, webPort: options.mailPorts.web, mailDirectory: path.join(options.dataDir, "mail") });
      cleanups.push(() => catcher.close());
      mailUrl = catcher.webUrl;
      smtpEnv = { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(catcher.smtpPort), SMTP_TLS: "none" };
      log(`mail: caught by MailDev, SMTP 127.0.0.1:${catcher.smtpPort}, web ${catcher.webUrl}`);
    }
    log(`external services: ${Object.entries(referenceUrls).map(([k, v]) => `${k} ${v}${external[k as keyof typeof external] ? "" : " (reference)"}`).join(", ")}`);

    signal?.throwIfAborted();
    let demoUsers: DemoUser[] = [];
    if (options.seed && (await isEmpty(databaseUrl))) {
      const demo = await demoAccounts(referenceUrls.auth, secrets.auth);
      const summary = await seedDatabase(databaseUrl, { ...options.seed, demoUsers: demo, onProgress: options.seedProgress?.update }).finally(() => options.seedProgress?.stop());
      demoUsers = summary.demoUsers;
      const stocked = await stockProducts(databaseUrl, referenceUrls.inventory, secrets.inventory);
      log(`demo data: ${Object.entries(summary.counts).map(([k, v]) => `${v} ${k}`).join(", ")}; stock for ${stocked} products`);
      // What the scheduled jobs would compute, so dashboards and forecasts have figures at once.
      const db = createDb(databaseUrl, { maxConnections: 2 });
      try {
        const analytics = await refreshAllAnalytics(db, { now: new Date() });
        log(`analytics: ${analytics.salesRows} sales rows, ${analytics.forecastRows} forecast rows, ${analytics.reports} reports`);
      } finally {
        await db.$disconnect();
      }
    }

    signal?.throwIfAborted();
    const serviceEnv: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: poolMax,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
      AUTH_SERVICE_URL: referenceUrls.auth,
      AUTH_SERVICE_TOKEN: secrets.auth,
      INVENTORY_SERVICE_URL: referenceUrls.inventory,
      INVENTORY_SERVICE_TOKEN: secrets.inventory,
      PAYMENT_GATEWAY_URL: referenceUrls.payment,
      PAYMENT_GATEWAY_KEY: secrets.payment,
      CARRIER_URL: referenceUrls.carrier,
      CARRIER_API_KEY: secrets.carrier,
      CARRIER_WEBHOOK_SECRET: LOCAL_SECRETS.webhookSecret,
      ...smtpEnv,
      PUBLIC_WEB_URL: options.publicWebUrl ?? `http://localhost:${options.webPort}`,
      ...(options.amqpUrl ? { AMQP_URL: options.amqpUrl } : {}),
      // Photos: files under the data directory, unless the environment names an S3-compatible bucket.
      STORAGE_DIR: path.resolve(options.dataDir, "storage"),
      ...Object.fromEntries(STORAGE_PASSTHROUGH.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : []))),
      ...options.extraEnv,
    };

    const children = new Map<string, ChildProcess>();
    let announceExit: (name: string) => void = () => undefined;
    const exited = new Promise<string>((resolve) => (announceExit = resolve));
    let stopping = false;
    const spawnService = (name: string, args: string[], env: Record<string, string>) => {
      const logFile = createWriteStream(path.join(options.dataDir, "logs", `${name}.log`));
      const child = spawn(process.execPath, args, {
        cwd: ROOT,
        // Only what the service's config declares, plus what node itself needs.
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: options.dev ? "development" : "production", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout!.pipe(logFile);
      child.stderr!.pipe(logFile);
      child.on("exit", (code) => {
        if (!stopping) {
          log(`${name} exited unexpectedly (code ${code}); see ${path.join(options.dataDir, "logs", `${name}.log`)}`);
          announceExit(name);
        }
      });
      children.set(name, child);
      return child;
    };
    cleanups.push(async () => {
      stopping = true;
      await Promise.all(
        [...children.values()].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
              child.once("exit", () => {
                clearTimeout(kill);
                resolve();
              });
              child.kill("SIGTERM");
            }),
        ),
      );
    });

    const tsxCli = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
    const tsx = options.dev ? [tsxCli, "watch", "--clear-screen=false"] : ["--import", "tsx"];
    const api = spawnService("api", [...tsx, "src/server/main.ts"], { ...serviceEnv, HOST: "127.0.0.1", PORT: String(apiPort) });
    const workerPort = options.processorPorts.worker || (await freePort());
    const worker = spawnService("processor-worker", [...tsx, "src/processor/main.ts", "worker"], { ...serviceEnv, PROCESSOR_HTTP_PORT: String(workerPort) });
    const waits: Array<Promise<void>> = [];
    const waitFor = (url: string, child: ChildProcess, name: string) => {
      const ready = waitForHttp(url, child, name, signal);
      // Awaited together below; until then (the web may still be building) a failure must not go unhandled.
      ready.catch(() => undefined);
      waits.push(ready);
    };
    waitFor(`${apiUrl}/readyz`, api, "api");
    waitFor(`http://127.0.0.1:${workerPort}/readyz`, worker, "processor worker");
    if (options.cron) {
      const cronPort = options.processorPorts.cron || (await freePort());
      const cron = spawnService("processor-cron", [...tsx, "src/processor/main.ts", "cron"], { ...serviceEnv, PROCESSOR_HTTP_PORT: String(cronPort) });
      waitFor(`http://127.0.0.1:${cronPort}/readyz`, cron, "processor cron");
    }
    const webArgs = options.dev
      ? [NEXT_CLI, "dev", "-p", String(options.webPort), "-H", "127.0.0.1"]
      : [await ensureWebBuild(log, signal)];
    const webMetricsPort = options.webMetricsPort || (await freePort());
    const web = spawnService("web", webArgs, {
      API_URL: apiUrl,
      WEB_METRICS_PORT: String(webMetricsPort),
      PORT: String(options.webPort),
      HOSTNAME: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
      ...(process.env.PHOTO_MAX_BYTES ? { PHOTO_MAX_BYTES: process.env.PHOTO_MAX_BYTES } : {}),
    });
    const webUrl = `http://127.0.0.1:${options.webPort}`;
    waitFor(`${webUrl}/`, web, "web");
    await Promise.all(waits);

    if (demoUsers.length === 0) demoUsers = await readDemoUsers(databaseUrl);
    return { webUrl, webMetricsUrl: `http://127.0.0.1:${webMetricsPort}/metrics`, apiUrl, databaseUrl, referenceUrls, mailUrl, demoUsers, exited, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** On a restart the database already holds the demo accounts: list them from there. */
async function readDemoUsers(databaseUrl: string): Promise<DemoUser[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const emails = Object.values(DEMO_ACCOUNTS).map((a) => a.email);
    const { rows } = await client.query<{ id: string; email: string; displayName: string; role: DemoUser["role"] }>(
      `SELECT id, email, "displayName", role::text AS role FROM "User" WHERE email = ANY($1) ORDER BY role`,
      [emails],
    );
    return rows;
  } finally {
    await client.end();
  }
}

const PREVIOUS = ".previous.log";

/**
 * Each run writes its services' logs afresh; the run before's are kept as `<name>.previous.log`.
 * So a log in the folder is always this run's, and a failure never shows old lines as current.
 */
async function setAsidePreviousLogs(dataDir: string): Promise<void> {
  const dir = path.join(dataDir, "logs");
  await mkdir(dir, { recursive: true });
  for (const file of await readdir(dir)) {
    if (file.endsWith(".log") && !file.endsWith(PREVIOUS)) await rename(path.join(dir, file), path.join(dir, `${file.slice(0, -".log".length)}${PREVIOUS}`));
  }
}

/** The last lines of a service's log from this run, to show next to a failure. */
export async function tailLog(dataDir: string, name: string, lines = 20): Promise<string> {
  try {
    return (await readFile(path.join(dataDir, "logs", `${name}.log`), "utf8")).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** The last lines of every service log this run wrote (none when it failed before starting any). */
export async function recentLogs(dataDir: string, lines = 20): Promise<Array<{ name: string; tail: string }>> {
  const files = await readdir(path.join(dataDir, "logs")).catch(() => []);
  const names = files.filter((f) => f.endsWith(".log") && !f.endsWith(PREVIOUS)).map((f) => f.slice(0, -".log".length));
  return Promise.all(names.sort().map(async (name) => ({ name, tail: await tailLog(dataDir, name, lines) })));
}
