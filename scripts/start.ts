// `npm start`: the whole of Lavka on this machine with demo data. `npm run dev` adds hot reload.
// Without DATABASE_URL the database is PGlite on disk in .lavka/; without AMQP_URL the processor
// reads events from the outbox table; without an external service's URL its reference
// implementation runs in this process; without SMTP_HOST a mail catcher (MailDev) takes the mail
// and shows it in a web page.
//
// Process managers signal one PID, npm's. npm passes SIGINT and SIGTERM on to its script's shell,
// which does not pass them on: so the script `exec`s this process in the shell's place, and this
// process stops everything on either signal, at any point of startup included.
import path from "node:path";
import { z } from "zod";
import { createProgress } from "./db/progress.ts";
import { run } from "./local/run.ts";
import type * as Launcher from "./local/system.ts";
import type { RunningSystem, SystemOptions } from "./local/system.ts";

const port = z.coerce.number().int().min(1).max(65535);
const anyPort = z.coerce.number().int().min(0).max(65535);
const env = z
  .object({
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
    AMQP_URL: z.string().regex(/^amqps?:\/\//, "must be an amqp:// URL").optional(),
    WEB_PORT: port.default(3000),
    API_PORT: port.default(4000),
    // The launcher's other listeners; 0 picks a free port (several systems on one machine).
    PROCESSOR_WORKER_PORT: anyPort.default(9464),
    PROCESSOR_CRON_PORT: anyPort.default(9465),
    WEB_METRICS_PORT: anyPort.default(9466),
    REFERENCE_AUTH_PORT: anyPort.default(8000),
    REFERENCE_INVENTORY_PORT: anyPort.default(8080),
    REFERENCE_PAYMENT_PORT: anyPort.default(8090),
    REFERENCE_CARRIER_PORT: anyPort.default(8070),
    MAIL_CATCHER_SMTP_PORT: anyPort.default(1025),
    MAIL_CATCHER_WEB_PORT: anyPort.default(1080),
    LAVKA_DATA_DIR: z.string().min(1).default(".lavka"),
    AUTH_SERVICE_URL: z.string().url().optional(),
    AUTH_SERVICE_TOKEN: z.string().optional(),
    INVENTORY_SERVICE_URL: z.string().url().optional(),
    INVENTORY_SERVICE_TOKEN: z.string().optional(),
    PAYMENT_GATEWAY_URL: z.string().url().optional(),
    PAYMENT_GATEWAY_KEY: z.string().optional(),
    CARRIER_URL: z.string().url().optional(),
    CARRIER_API_KEY: z.string().optional(),
    // A real mail server instead of the catcher (the processor's variables, see README).
    SMTP_HOST: z.string().min(1).optional(),
    SMTP_PORT: port.default(587),
    SMTP_TLS: z.enum(["starttls", "tls", "none"]).default("starttls"),
    SMTP_USER: z.string().optional(),
    SMTP_PASSWORD: z.string().optional(),
  })
  .safeParse(process.env);

if (!env.success) {
  console.error(`Invalid configuration for npm start:\n${env.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  process.exit(78);
}
const config = env.data;

function external(url: string | undefined, secret: string | undefined, names: string) {
  if (!url) return undefined;
  if (!secret) {
    console.error(`${names}: a URL was given without its credential`);
    process.exit(78);
  }
  return { url, secret };
}

const shutdown = new AbortController();
process.once("SIGINT", () => shutdown.abort("SIGINT"));
process.once("SIGTERM", () => shutdown.abort("SIGTERM"));

const dataDir = path.resolve(config.LAVKA_DATA_DIR);
const options: SystemOptions = {
  databaseUrl: config.DATABASE_URL,
  amqpUrl: config.AMQP_URL,
  dataDir,
  webPort: config.WEB_PORT,
  webMetricsPort: config.WEB_METRICS_PORT,
  apiPort: config.API_PORT,
  processorPorts: { worker: config.PROCESSOR_WORKER_PORT, cron: config.PROCESSOR_CRON_PORT },
  referencePorts: {
    auth: config.REFERENCE_AUTH_PORT,
    inventory: config.REFERENCE_INVENTORY_PORT,
    payment: config.REFERENCE_PAYMENT_PORT,
    carrier: config.REFERENCE_CARRIER_PORT,
  },
  mailPorts: { smtp: config.MAIL_CATCHER_SMTP_PORT, web: config.MAIL_CATCHER_WEB_PORT },
  smtp: config.SMTP_HOST
    ? { host: config.SMTP_HOST, port: config.SMTP_PORT, tls: config.SMTP_TLS, user: config.SMTP_USER, password: config.SMTP_PASSWORD }
    : undefined,
  seed: {},
  seedProgress: createProgress(process.stdout, { label: "lavka: seeding demo data", unit: "orders" }),
  cron: true,
  carrierAutoAdvanceMs: 20_000,
  dev: process.argv.includes("--dev"),
  external: Object.fromEntries(
    Object.entries({
      auth: external(config.AUTH_SERVICE_URL, config.AUTH_SERVICE_TOKEN, "AUTH_SERVICE_URL/AUTH_SERVICE_TOKEN"),
      inventory: external(config.INVENTORY_SERVICE_URL, config.INVENTORY_SERVICE_TOKEN, "INVENTORY_SERVICE_URL/INVENTORY_SERVICE_TOKEN"),
      payment: external(config.PAYMENT_GATEWAY_URL, config.PAYMENT_GATEWAY_KEY, "PAYMENT_GATEWAY_URL/PAYMENT_GATEWAY_KEY"),
      carrier: external(config.CARRIER_URL, config.CARRIER_API_KEY, "CARRIER_URL/CARRIER_API_KEY"),
    }).filter(([, v]) => v !== undefined),
  ),
  log: (line) => console.log(`lavka: ${line}`),
  signal: shutdown.signal,
};

console.log("lavka: starting...");
let system: RunningSystem;
const launcher = await loadLauncher();
try {
  system = await launcher.startSystem(options);
} catch (error) {
  if (shutdown.signal.aborted) {
    console.log(`lavka: stopped (${String(shutdown.signal.reason)} while starting)`);
    process.exit(0);
  }
  console.error(`lavka: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  for (const { name, tail } of await launcher.recentLogs(dataDir, 15)) console.error(`--- ${name} (this run) ---\n${tail}`);
  process.exit(1);
}
const { DEMO_ACCOUNTS, DEMO_PASSWORD, tailLog } = launcher;

console.log(`
Lavka is running.
  Shop:        ${system.webUrl.replace("127.0.0.1", "localhost")}
  API (tRPC):  ${system.apiUrl}/trpc   (health: ${system.apiUrl}/healthz)
  Mail:        ${system.mailUrl ? `${system.mailUrl.replace("127.0.0.1", "localhost")}   (every mail the shop sends is caught here)` : `sent through ${config.SMTP_HOST}:${config.SMTP_PORT}`}
  Logs:        ${path.join(dataDir, "logs")}

Demo accounts (password "${DEMO_PASSWORD}"):
  buyer   ${DEMO_ACCOUNTS.buyer.email}
  seller  ${DEMO_ACCOUNTS.seller.email}
  admin   ${DEMO_ACCOUNTS.admin.email}

Press Ctrl+C to stop.`);

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log("lavka: stopping...");
  await system.stop();
  process.exit(code);
};
// A signal that came as startup finished still counts.
if (shutdown.signal.aborted) void stop(0);
else shutdown.signal.addEventListener("abort", () => void stop(0));
void system.exited.then(async (name) => {
  console.error(`--- last lines of ${name} ---\n${await tailLog(dataDir, name)}`);
  await stop(1);
});

/**
 * The Prisma client is generated code (not in git) that the launcher imports: generate it from the
 * schema first, then load the launcher.
 */
async function loadLauncher(): Promise<typeof Launcher> {
  try {
    const generated = await run(process.execPath, ["node_modules/prisma/build/index.js", "generate"], { signal: shutdown.signal });
    if (generated.code !== 0) {
      console.error(`lavka: prisma generate failed:\n${generated.stdout}${generated.stderr}`);
      process.exit(1);
    }
  } catch (error) {
    if (!shutdown.signal.aborted) throw error;
    console.log(`lavka: stopped (${String(shutdown.signal.reason)} while starting)`);
    process.exit(0);
  }
  return import("./local/system.ts");
}
