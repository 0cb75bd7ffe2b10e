/**
 * The processor's jobs as the API and the web know them: names, what they do, their parameters.
 * Plain data, so the API can validate a trigger request without importing processor code; the
 * processor's registry test checks that this list and src/processor/jobs agree.
 * Parameters travel as strings, exactly as `processor job <name> --key value` takes them; the
 * job's own schema parses them when the processor runs it. `title` and `label` name a job and a
 * parameter for people; `kind` says what a value is, so a form can offer the right control (a list
 * of shops rather than an id to paste, a date picker).
 */
export interface JobParamInfo {
  name: string;
  label: string;
  description: string;
  required: boolean;
  /** seller: a shop's id; day: YYYY-MM-DD; count: a whole number. */
  kind: "seller" | "day" | "count";
}

export interface JobCatalogEntry {
  name: string;
  title: string;
  description: string;
  params: JobParamInfo[];
}

export const jobCatalog: JobCatalogEntry[] = [
  {
    name: "aggregate-sales",
    title: "Update sales figures",
    description: "Adds the orders since its last run to the hourly and daily sales figures (it also runs every hour by itself).",
    params: [],
  },
  {
    name: "backfill-sales",
    title: "Recompute sales figures",
    description: "Recomputes the sales figures of a range of days, for example after a correction.",
    params: [
      { name: "from", label: "First day", kind: "day", description: "The first day of the range.", required: true },
      { name: "to", label: "Last day", kind: "day", description: "The last day of the range, included.", required: true },
    ],
  },
  {
    name: "customer-stats",
    title: "Customer statistics",
    description: "Groups buyers by the month of their first purchase and how many came back, and sorts each shop's buyers by how recently, how often and how much they buy.",
    params: [],
  },
  {
    name: "sales-report",
    title: "Sales report for one shop",
    description: "Makes a sales report of one shop for a range of days; the shop downloads it under Reports.",
    params: [
      { name: "seller", label: "Shop", kind: "seller", description: "The shop the report is for.", required: true },
      { name: "from", label: "First day", kind: "day", description: "The first day of the range.", required: true },
      { name: "to", label: "Last day", kind: "day", description: "The last day of the range, included.", required: true },
    ],
  },
  {
    name: "sales-report-weekly",
    title: "Weekly sales reports",
    description: "Makes last week's sales report for every shop.",
    params: [],
  },
  {
    name: "forecast",
    title: "Demand forecasts",
    description: "Predicts each product's daily sales for the next 28 days, and checks how close it would have come over recent weeks.",
    params: [{ name: "history-days", label: "Days of sales history to learn from", kind: "count", description: "28 to 1095 days; 182 when left empty.", required: false }],
  },
  {
    name: "prune-outbox",
    title: "Clear out delivered events",
    description: "Deletes records of events delivered more than a number of days ago (never ones still on their way), to keep the database small.",
    params: [{ name: "older-than-days", label: "Older than (days)", kind: "count", description: "1 to 3650 days; 7 when left empty.", required: false }],
  },
  {
    name: "expire-orders",
    title: "Expire unpaid orders",
    description: "Cancels orders left unpaid past the payment time limit and releases the stock they held (the worker also does this by itself).",
    params: [],
  },
  {
    name: "sweep-photos",
    title: "Clear out unused photos",
    description: "Deletes photos that were uploaded but never saved with a product, and stored files no photo uses.",
    params: [{ name: "staged-older-than-hours", label: "Unsaved for more than (hours)", kind: "count", description: "1 to 8760 hours; 24 when left empty.", required: false }],
  },
];

export function findCatalogJob(name: string): JobCatalogEntry | undefined {
  return jobCatalog.find((job) => job.name === name);
}
