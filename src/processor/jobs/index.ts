import { aggregateSalesJob, backfillSalesJob } from "./aggregate-sales";
import { customerStatsJob, forecastJob, salesReportJob, weeklySalesReportsJob } from "./analytics-jobs";
import { expireOrdersJob, pruneOutboxJob } from "./pipeline-jobs";
import { sweepPhotosJob } from "./photo-jobs";
import type { JobDefinition } from "./types";

/** Every job the processor can run, by name: `processor job <name>`, cron mode and the operations page. */
export const jobs: JobDefinition[] = [
  aggregateSalesJob,
  backfillSalesJob,
  customerStatsJob,
  salesReportJob,
  weeklySalesReportsJob,
  forecastJob,
  pruneOutboxJob,
  expireOrdersJob,
  sweepPhotosJob,
];

export function findJob(name: string): JobDefinition | undefined {
  return jobs.find((job) => job.name === name);
}
