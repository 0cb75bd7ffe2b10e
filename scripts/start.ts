// `npm start`: the whole of Lavka on this machine with demo data. `npm run dev` adds hot reload.
// Without DATABASE_URL the database is PGlite on disk in .lavka/; without AMQP_URL the processor
// reads events from the outbox table; without an external service's URL its reference
// implementation runs in this process.
import path from "node:path";
import { z } from "zod";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, startSystem, tailLog, type SystemOptions } from "./local/system.ts";

const port = z.coerce.number().int().min(1).max(65535);
const env = z
  .object({
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
    AMQP_URL: z.string().regex(/^amqps?:\/\//, "must be an amqp:// URL").optional(),
    WEB_PORT: port.default(3000),
    API_PORT: port.default(4000),
    LAVKA_DATA_DIR: z.string().min(1).default(".lavka"),
    AUTH_SERVICE_URL: z.string().url().optional(),
    AUTH_SERVICE_TOKEN: z.string().optional(),
    INVENTORY_SERVICE_URL: z.string().url().optional(),
    INVENTORY_SERVICE_TOKEN: z.string().optional(),
    PAYMENT_GATEWAY_URL: z.string().url().optional(),
    PAYMENT_GATEWAY_KEY: z.string().optional(),
    CARRIER_URL: z.string().url().optional(),
    CARRIER_API_KEY: z.string().optional(),
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

const dataDir = path.resolve(config.LAVKA_DATA_DIR);
const options: SystemOptions = {
  databaseUrl: config.DATABASE_URL,
  amqpUrl: config.AMQP_URL,
  dataDir,
  webPort: config.WEB_PORT,
  apiPort: config.API_PORT,
  processorPorts: { worker: 9464, cron: 9465 },
  referencePorts: { auth: 8000, inventory: 8080, payment: 8090, carrier: 8070 },
  seed: {},
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
};

console.log("lavka: starting...");
let system: Awaited<ReturnType<typeof startSystem>>;
try {
  system = await startSystem(options);
} catch (error) {
  console.error(`lavka: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  for (const name of ["api", "processor-worker", "processor-cron", "web"]) console.error(`--- ${name} ---\n${await tailLog(dataDir, name, 15)}`);
  process.exit(1);
}

console.log(`
Lavka is running.
  Shop:        ${system.webUrl.replace("127.0.0.1", "localhost")}
  API (tRPC):  ${system.apiUrl}/trpc   (health: ${system.apiUrl}/healthz)
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
process.once("SIGINT", () => void stop(0));
process.once("SIGTERM", () => void stop(0));
void system.exited.then(async (name) => {
  console.error(`--- last lines of ${name} ---\n${await tailLog(dataDir, name)}`);
  await stop(1);
});
