/**
 * The processor's jobs as the API and the web know them: names, what they do, their parameters.
 * Plain data, so the API can validate a trigger request without importing processor code; the
 * processor's registry test checks that this list and src/processor/jobs agree.
 * Parameters travel as strings, exactly as `processor job <name> --key value` takes them; the
 * job's own schema parses them when the processor runs it.
 */
export interface JobParamInfo {
  name: string;
  description: string;
  required: boolean;
}

export interface JobCatalogEntry {
  name: string;
  description: string;
  params: JobParamInfo[];
}

export const jobCatalog: JobCatalogEntry[] = [
  {
    name: "aggregate-sales",
    description: "Hourly and daily sales per product, seller, category (incremental from a watermark)",
    params: [],
  },
  {
    name: "backfill-sales",
    description: "Recompute sales aggregates for a range of days",
    params: [
      { name: "from", description: "First day, YYYY-MM-DD", required: true },
      { name: "to", description: "Last day (inclusive), YYYY-MM-DD", required: true },
    ],
  },
  {
    name: "customer-stats",
    description: "Cohorts by first-purchase month with repeat rates, and RFM segments per seller",
    params: [],
  },
  {
    name: "sales-report",
    description: "Sales report of one seller for a range of days",
    params: [
      { name: "seller", description: "Seller id (uuid)", required: true },
      { name: "from", description: "First day, YYYY-MM-DD", required: true },
      { name: "to", description: "Last day (inclusive), YYYY-MM-DD", required: true },
    ],
  },
  {
    name: "sales-report-weekly",
    description: "Last week's sales report for every seller",
    params: [],
  },
  {
    name: "forecast",
    description: "Daily demand per product for the next 28 days, with a backtest against seasonal-naive",
    params: [{ name: "history-days", description: "Days of history to fit on (28-1095, default 182)", required: false }],
  },
  {
    name: "prune-outbox",
    description: "Delete published outbox events older than a number of days, in batches (never unpublished or still-delivering ones)",
    params: [{ name: "older-than-days", description: "Age in days of the events to delete (1-3650, default 7)", required: false }],
  },
  {
    name: "expire-orders",
    description: "Cancel unpaid orders past the payment timeout and expire stale stock reservations (the worker's expiry pass)",
    params: [],
  },
  {
    name: "sweep-photos",
    description: "Delete photos uploaded but never saved with a product, and stored files no photo uses",
    params: [{ name: "staged-older-than-hours", description: "Age in hours of unsaved uploads to delete (1-8760, default 24)", required: false }],
  },
];

export function findCatalogJob(name: string): JobCatalogEntry | undefined {
  return jobCatalog.find((job) => job.name === name);
}
