import { z } from "zod";
import { aggregateSales, backfillSales } from "../../core/domain/analytics/sales";
import { defineJob, type JobContext, type JobResult } from "./types";
import type { SalesRunResult } from "../../core/domain/analytics/sales";

function report(ctx: JobContext, result: SalesRunResult): JobResult {
  // A run that found another one holding the lock did nothing and that is fine: it counts as a
  // success with 0 rows (the operations page sees "skipped" in the log line and summary).
  if (result.skipped) ctx.logger.info("skipped: another aggregate-sales run holds the lock");
  else ctx.logger.info({ mode: result.mode, days: result.days, rows: result.rows }, "sales aggregated");
  return { rows: result.rows, summary: { ...result } };
}

export const aggregateSalesJob = defineJob({
  name: "aggregate-sales",
  description: "Hourly and daily sales per product, seller, category (incremental from a watermark)",
  params: z.object({}).strict(),
  schedule: "5 * * * *",
  run: async (ctx) => report(ctx, await aggregateSales(ctx.db, { now: ctx.now(), signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total, "days") })),
});

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD").transform((s) => new Date(`${s}T00:00:00Z`));

export const backfillSalesJob = defineJob({
  name: "backfill-sales",
  description: "Recompute sales aggregates for --from YYYY-MM-DD --to YYYY-MM-DD (inclusive)",
  params: z
    .object({ from: date, to: date })
    .strict()
    .refine((p) => p.from <= p.to, { message: "--from must not be after --to", path: ["from"] }),
  run: async (ctx, params) =>
    report(ctx, await backfillSales(ctx.db, params, { now: ctx.now(), signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total, "days") })),
});
