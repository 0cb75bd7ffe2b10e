// Starts the four reference external services for local runs and tests:
//   npx tsx reference/run.ts [--database-url URL] [--auth-port 8000] [--inventory-port 8080]
//     [--payment-port 8090] [--carrier-port 8070] [--host 127.0.0.1] [--service-token T]
//     [--callback-url URL --callback-secret S] [--auto-advance-ms N]
//     [--admin-email E --admin-password P] [--only auth,inventory]
// Port 0 picks a free port. Ctrl+C stops them. Never part of the Lavka images.
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { Logger } from "pino";
import { createLogger } from "../src/lib/logger";
import { startAuthService } from "./auth/server";
import { startCarrierService } from "./carrier/server";
import { startInventoryService } from "./inventory/server";
import { startPaymentService } from "./payment/server";

export type ReferenceServiceName = "auth" | "inventory" | "payment" | "carrier";

export interface ReferenceServicesOptions {
  databaseUrl: string;
  host?: string;
  ports?: Partial<Record<ReferenceServiceName, number>>;
  /** One token for all four (X-Service-Token). */
  serviceToken: string;
  carrierCallback?: { url: string; secret: string };
  carrierAutoAdvanceMs?: number;
  bootstrapAdmin?: { email: string; password: string; displayName?: string };
  only?: ReferenceServiceName[];
  logger?: Logger;
}

export interface RunningReferenceServices {
  urls: Partial<Record<ReferenceServiceName, string>>;
  close(): Promise<void>;
}

export const DEFAULT_PORTS: Record<ReferenceServiceName, number> = { auth: 8000, inventory: 8080, payment: 8090, carrier: 8070 };

export async function startReferenceServices(options: ReferenceServicesOptions): Promise<RunningReferenceServices> {
  const logger = options.logger ?? createLogger("reference", "info");
  const wanted = new Set(options.only ?? (["auth", "inventory", "payment", "carrier"] as const));
  const port = (name: ReferenceServiceName) => options.ports?.[name] ?? DEFAULT_PORTS[name];
  const common = { databaseUrl: options.databaseUrl, host: options.host, serviceToken: options.serviceToken };
  const started: Array<{ name: ReferenceServiceName; url: string; close(): Promise<void> }> = [];
  const close = async () => {
    await Promise.allSettled(started.map((s) => s.close()));
  };
  try {
    // One at a time: each creates its schema, and errors name the service that failed.
    if (wanted.has("auth")) {
      const s = await startAuthService({
        ...common,
        port: port("auth"),
        ...(options.bootstrapAdmin ? { bootstrapAdmin: options.bootstrapAdmin } : {}),
        logger: logger.child({ service: "ref-auth" }),
      });
      started.push({ name: "auth", ...s });
    }
    if (wanted.has("inventory")) {
      const s = await startInventoryService({
        ...common,
        port: port("inventory"),
        sweepIntervalMs: 30_000,
        logger: logger.child({ service: "ref-inventory" }),
      });
      started.push({ name: "inventory", ...s });
    }
    if (wanted.has("payment")) {
      const s = await startPaymentService({ ...common, port: port("payment"), logger: logger.child({ service: "ref-payment" }) });
      started.push({ name: "payment", ...s });
    }
    if (wanted.has("carrier")) {
      const s = await startCarrierService({
        ...common,
        port: port("carrier"),
        ...(options.carrierCallback
          ? { callbackUrl: options.carrierCallback.url, callbackSecret: options.carrierCallback.secret }
          : {}),
        ...(options.carrierAutoAdvanceMs ? { autoAdvanceMs: options.carrierAutoAdvanceMs } : {}),
        logger: logger.child({ service: "ref-carrier" }),
      });
      started.push({ name: "carrier", ...s });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { urls: Object.fromEntries(started.map((s) => [s.name, s.url])), close };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "database-url": { type: "string", default: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
      host: { type: "string", default: "127.0.0.1" },
      "auth-port": { type: "string", default: String(DEFAULT_PORTS.auth) },
      "inventory-port": { type: "string", default: String(DEFAULT_PORTS.inventory) },
      "payment-port": { type: "string", default: String(DEFAULT_PORTS.payment) },
      "carrier-port": { type: "string", default: String(DEFAULT_PORTS.carrier) },
      "service-token": { type: "string", default: process.env.REFERENCE_SERVICE_TOKEN ?? "dev-service-token" },
      "callback-url": { type: "string" },
      "callback-secret": { type: "string" },
      "auto-advance-ms": { type: "string" },
      "admin-email": { type: "string" },
      "admin-password": { type: "string" },
      only: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log("Usage: npx tsx reference/run.ts [flags]  (see the comment at the top of reference/run.ts)");
    return;
  }
  const toPort = (flag: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${flag} must be a port number (0 for any free port)`);
    return n;
  };
  const only = values.only?.split(",").map((s) => s.trim()) as ReferenceServiceName[] | undefined;
  for (const name of only ?? []) {
    if (!(name in DEFAULT_PORTS)) throw new Error(`--only: unknown service "${name}" (auth, inventory, payment, carrier)`);
  }
  if (Boolean(values["callback-url"]) !== Boolean(values["callback-secret"])) {
    throw new Error("--callback-url and --callback-secret go together");
  }
  if (Boolean(values["admin-email"]) !== Boolean(values["admin-password"])) {
    throw new Error("--admin-email and --admin-password go together");
  }
  const running = await startReferenceServices({
    databaseUrl: values["database-url"],
    host: values.host,
    serviceToken: values["service-token"],
    ports: {
      auth: toPort("auth-port", values["auth-port"]),
      inventory: toPort("inventory-port", values["inventory-port"]),
      payment: toPort("payment-port", values["payment-port"]),
      carrier: toPort("carrier-port", values["carrier-port"]),
    },
    ...(values["callback-url"] && values["callback-secret"]
      ? { carrierCallback: { url: values["callback-url"], secret: values["callback-secret"] } }
      : {}),
    ...(values["auto-advance-ms"] ? { carrierAutoAdvanceMs: Number(values["auto-advance-ms"]) } : {}),
    ...(values["admin-email"] && values["admin-password"]
      ? { bootstrapAdmin: { email: values["admin-email"], password: values["admin-password"] } }
      : {}),
    ...(only ? { only } : {}),
  });
  for (const [name, url] of Object.entries(running.urls)) console.log(`${name.padEnd(9)} ${url}`);
  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(`reference services: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
