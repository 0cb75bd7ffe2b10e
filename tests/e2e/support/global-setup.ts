// Starts the whole system for the browser journeys: a fresh PostgreSQL database, RabbitMQ on its
// own vhost, the reference external services, the mail catcher, the API, the processor and the
// built web app.
import { execFileSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { recentLogs, startSystem } from "../../../scripts/local/system.ts";
import { adminQuery, databaseUrl, quoteIdent } from "../../helpers/postgres.ts";
import { E2E_WEB_PORT } from "./ports.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
export const E2E_STATE_FILE = path.join(ROOT, "artifacts/e2e/system.json");

/** A vhost of our own keeps this run's queues apart from any other user of the broker. */
function createVhost(name: string): string | undefined {
  try {
    execFileSync("rabbitmqctl", ["add_vhost", name], { stdio: "ignore" });
    execFileSync("rabbitmqctl", ["set_permissions", "-p", name, "guest", ".*", ".*", ".*"], { stdio: "ignore" });
    return `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(name)}`;
  } catch {
    return undefined;
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const runId = `${Date.now()}`;
  const dataDir = path.join(ROOT, "artifacts/e2e");
  await mkdir(dataDir, { recursive: true });
  // The mail catcher keeps its mail in the data folder: start each run with an empty mailbox.
  await rm(path.join(dataDir, "mail"), { recursive: true, force: true });
  const database = `lavka_e2e_${runId}`;
  await adminQuery(`CREATE DATABASE ${quoteIdent(database)}`);
  const vhost = `lavka-e2e-${runId}`;
  const amqpUrl = process.env.E2E_AMQP_URL ?? createVhost(vhost);
  if (!amqpUrl) throw new Error("RabbitMQ is needed for the browser tests: rabbitmqctl add_vhost failed (is RabbitMQ running?)");

  const system = await startSystem({
    databaseUrl: databaseUrl(database),
    amqpUrl,
    dataDir,
    webPort: E2E_WEB_PORT,
    // The browser's origin (playwright.config.ts baseURL), so a link in a mail opens a signed-in page.
    publicWebUrl: `http://127.0.0.1:${E2E_WEB_PORT}`,
    apiPort: 0,
    processorPorts: { worker: 0, cron: 0 },
    referencePorts: { auth: 0, inventory: 0, payment: 0, carrier: 0 },
    mailPorts: { smtp: 0, web: 0 },
    seed: { sellers: 4, products: 40, orders: 400, days: 60 },
    cron: false,
    // The journeys move shipments along themselves, through the carrier's control endpoint.
    carrierAutoAdvanceMs: 0,
    log: (line) => process.stdout.write(`[e2e system] ${line}\n`),
  }).catch(async (error: unknown) => {
    for (const { name, tail } of await recentLogs(dataDir)) process.stdout.write(`--- ${name} ---\n${tail}\n`);
    throw error;
  });
  // The specs read where everything runs from here (they are separate processes).
  await writeFile(
    E2E_STATE_FILE,
    JSON.stringify(
      {
        apiUrl: system.apiUrl,
        webUrl: system.webUrl,
        webMetricsUrl: system.webMetricsUrl,
        databaseUrl: system.databaseUrl,
        referenceUrls: system.referenceUrls,
        mailUrl: system.mailUrl,
        demoUsers: system.demoUsers,
      },
      null,
      2,
    ),
  );

  return async () => {
    await system.stop();
    await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    if (!process.env.E2E_AMQP_URL) {
      try {
        execFileSync("rabbitmqctl", ["delete_vhost", vhost], { stdio: "ignore" });
      } catch {
        // A leftover vhost is harmless; the next run makes its own.
      }
    }
  };
}
