import type { Db } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import type { ProcessorConfig } from "../config";
import type { WorkerClients } from "../pipeline-clients";
import { runOrderExpiry } from "./expiry";
import { startLoop } from "./loop";
import { QUEUED_JOBS_POLL_MS, runQueuedJobs } from "./queued-jobs";
import { pollStaleShipments } from "./tracking";

export interface TasksDeps {
  config: ProcessorConfig;
  db: Db;
  /** For the queued jobs' reads of finished periods. */
  readDb: Db;
  logger: Logger;
  clients: WorkerClients;
  now: () => Date;
}

/**
 * The worker's timed passes, each on its own loop: unpaid-order expiry, tracking polls and the
 * jobs queued from the operations page. Several workers are safe: each pass locks what it takes.
 */
export function startTasks(deps: TasksDeps): { stop(): Promise<void> } {
  const { config, db, readDb, logger, clients, now } = deps;
  const loops = [
    startLoop(
      async () => {
        // A full batch means a backlog: run again at once instead of waiting the interval.
        return (await runOrderExpiry({ db, logger, config, inventory: clients.expiryInventory ?? clients.inventory, now })).more;
      },
      { name: "order-expiry", logger, idleMs: config.EXPIRY_INTERVAL_MS },
    ),
    startLoop(
      async () => {
        await pollStaleShipments({ db, logger, clients, staleMs: config.TRACKING_STALE_MINUTES * 60_000, now });
        return false;
      },
      { name: "tracking-poll", logger, idleMs: config.TRACKING_POLL_INTERVAL_MS },
    ),
    startLoop(() => runQueuedJobs({ db, readDb, logger, now }).then(() => false), { name: "queued-jobs", logger, idleMs: QUEUED_JOBS_POLL_MS }),
  ];
  return {
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}
