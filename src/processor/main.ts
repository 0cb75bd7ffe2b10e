import type { Server } from "node:http";
import { Cron } from "croner";
import { createDb, type Db } from "~/lib/db";
import { ConfigError } from "~/lib/env";
import { createLogger, type Logger } from "~/lib/logger";
import { createMetricsRegistry } from "~/lib/metrics";
import { startProbeServer } from "~/lib/probes";
import { startTracing, type Tracing } from "~/lib/tracing";
import { parseArgs, UsageError, type Command } from "./cli";
import { loadProcessorConfig, type ProcessorConfig } from "./config";
import { findJob, jobs } from "./jobs";
import { JobParamsError, runJob } from "./jobs/run-job";
import { startWorker } from "./worker";

// Exit codes follow sysexits(3) so a Kubernetes Job's failure reason is readable from the code.
const EXIT_FAILURE = 1;
const EXIT_USAGE = 64;
const EXIT_CONFIG = 78;

function usage(): string {
  const width = Math.max(...jobs.map((j) => j.name.length), 4);
  const list = jobs.map((j) => `  ${j.name.padEnd(width)}  ${j.description}${j.schedule ? ` (schedule: ${j.schedule} UTC)` : ""}`);
  return [
    "Lavka data-processing service",
    "",
    "Usage:",
    "  processor worker                       consume events (long-running; the Deployment)",
    "  processor cron                         run scheduled jobs in-process (no Kubernetes needed)",
    "  processor job <name> [--key value ...]  run one job and exit (0 = success)",
    "  processor --help                       this text",
    "",
    "Jobs:",
    ...(list.length > 0 ? list : ["  (none)"]),
  ].join("\n");
}

async function runOnce(command: Extract<Command, { mode: "job" }>, db: Db, readDb: Db, logger: Logger): Promise<number> {
  const job = findJob(command.name);
  if (!job) {
    process.stderr.write(`Unknown job "${command.name}". Known jobs: ${jobs.map((j) => j.name).join(", ")}\n`);
    return EXIT_USAGE;
  }
  const controller = new AbortController();
  process.once("SIGTERM", () => controller.abort());
  try {
    const result = await runJob(job, command.params, { db, readDb, logger, trigger: "job", signal: controller.signal });
    process.stdout.write(`${job.name}: succeeded, ${result.rows} rows (run ${result.runId})\n`);
    return 0;
  } catch (error) {
    if (error instanceof JobParamsError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`${job.name}: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

async function serveLongRunning(mode: "worker" | "cron", config: ProcessorConfig, db: Db, readDb: Db, logger: Logger, tracing: Tracing | null): Promise<void> {
  const registry = createMetricsRegistry("processor");
  const probes: Server = await startProbeServer(config.PROCESSOR_HTTP_PORT, {
    registry,
    ready: async () => {
      await db.$queryRaw`SELECT 1`;
    },
  });
  const controller = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let stopWork: () => Promise<void>;

  if (mode === "worker") {
    const worker = await startWorker({ config, db, readDb, logger, registry });
    stopWork = () => worker.stop();
  } else {
    const crons = jobs
      .filter((job) => job.schedule)
      .map(
        (job) =>
          // protect: a run still going when the next tick comes is not started twice in this process;
          // the jobs' own advisory locks cover overlap with a Kubernetes Job or another process.
          new Cron(job.schedule!, { timezone: "UTC", protect: true, name: job.name }, async () => {
            const run = runJob(job, {}, { db, readDb, logger, trigger: "cron", signal: controller.signal }).catch(() => undefined);
            inFlight.add(run);
            await run;
            inFlight.delete(run);
          }),
      );
    logger.info({ jobs: crons.map((c) => ({ name: c.name, next: c.nextRun()?.toISOString() })) }, "cron schedule started");
    stopWork = async () => {
      for (const cron of crons) cron.stop();
      controller.abort();
      await Promise.allSettled([...inFlight]);
    };
  }
  logger.info({ mode, port: config.PROCESSOR_HTTP_PORT }, "processor running");

  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      logger.error("shutdown grace period exceeded, exiting");
      process.exit(EXIT_FAILURE);
    }, config.SHUTDOWN_GRACE_MS).unref();
    await stopWork();
    await new Promise<void>((resolve) => probes.close(() => resolve()));
    await Promise.all([db.$disconnect(), readDb.$disconnect()]);
    await tracing?.shutdown();
    clearTimeout(timer);
    logger.info("stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

async function main(): Promise<void> {
  let command: Command;
  try {
    command = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${usage()}\n`);
    process.exit(EXIT_USAGE);
  }
  if (command.mode === "help") {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  let config: ProcessorConfig;
  try {
    config = loadProcessorConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  const logger = createLogger("processor", config.LOG_LEVEL);
  const db = createDb(config.DATABASE_URL, { maxConnections: config.DATABASE_POOL_MAX });
  const readDb = config.DATABASE_READ_URL ? createDb(config.DATABASE_READ_URL, { maxConnections: config.DATABASE_POOL_MAX }) : db;
  const tracing = startTracing({ service: "processor", endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });

  if (command.mode === "job") {
    const code = await runOnce(command, db, readDb, logger);
    await Promise.all([db.$disconnect(), readDb.$disconnect()]);
    await tracing?.shutdown();
    process.exit(code);
  }
  try {
    await serveLongRunning(command.mode, config, db, readDb, logger, tracing);
  } catch (error) {
    // Worker mode needs the external services' settings, checked only when it starts.
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
}

await main();
