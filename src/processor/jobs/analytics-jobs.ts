import { z } from "zod";
import { computeCustomerStats } from "../../core/domain/analytics/customers";
import { runForecast } from "../../core/domain/analytics/demand";
import { previousWeek, storeSellerSalesReport } from "../../core/domain/analytics/reports";
import { defineJob } from "./types";

const DAY_MS = 86_400_000;
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD").transform((s) => new Date(`${s}T00:00:00Z`));

export const customerStatsJob = defineJob({
  name: "customer-stats",
  description: "Cohorts by first-purchase month with repeat rates, and RFM segments per seller",
  params: z.object({}).strict(),
  schedule: "20 3 * * *",
  run: async (ctx) => {
    const result = await computeCustomerStats(ctx.db, { now: ctx.now(), signal: ctx.signal });
    if (result.skipped) ctx.logger.info("skipped: another customer-stats run holds the lock");
    else ctx.logger.info(result, "customer statistics recomputed");
    return { rows: result.cohortRows + result.rfmRows, summary: { ...result } };
  },
});

export const salesReportJob = defineJob({
  name: "sales-report",
  description: "Sales report of one seller: --seller <id> --from YYYY-MM-DD --to YYYY-MM-DD (inclusive)",
  params: z
    .object({ seller: z.uuid({ error: "expected a seller id (uuid)" }), from: date, to: date })
    .strict()
    .refine((p) => p.from <= p.to, { message: "--from must not be after --to", path: ["from"] }),
  run: async (ctx, params) => {
    const period = { sellerId: params.seller, from: params.from, to: new Date(params.to.getTime() + DAY_MS), now: ctx.now() };
    const { id, report } = await storeSellerSalesReport(ctx.db, period, ctx.readDb);
    ctx.logger.info({ reportId: id, products: report.products.length }, "sales report stored");
    return { rows: 1, summary: { reportId: id } };
  },
});

export const weeklySalesReportsJob = defineJob({
  name: "sales-report-weekly",
  description: "Last week's sales report for every seller",
  params: z.object({}).strict(),
  schedule: "30 2 * * 1",
  run: async (ctx) => {
    const week = previousWeek(ctx.now());
    const sellers = await ctx.db.seller.findMany({ select: { id: true }, orderBy: { id: "asc" } });
    let rows = 0;
    await ctx.progress(0, sellers.length, "sellers");
    for (const seller of sellers) {
      ctx.signal.throwIfAborted();
      await storeSellerSalesReport(ctx.db, { sellerId: seller.id, ...week, now: ctx.now() }, ctx.readDb);
      rows++;
      await ctx.progress(rows, sellers.length, "sellers");
    }
    ctx.logger.info({ sellers: rows, from: week.from.toISOString() }, "weekly sales reports stored");
    return { rows };
  },
});

export const forecastJob = defineJob({
  name: "forecast",
  description: "Daily demand per product for the next 28 days (Holt-Winters), with a backtest against seasonal-naive",
  params: z.object({ "history-days": z.coerce.number().int().min(28).max(1095).default(182) }).strict(),
  schedule: "15 4 * * *",
  run: async (ctx, params) => {
    const result = await runForecast(ctx.db, { now: ctx.now(), historyDays: params["history-days"], signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total, "products") });
    if (result.skipped) ctx.logger.info("skipped: another forecast run holds the lock");
    else ctx.logger.info({ products: result.products, models: result.models, backtest: result.backtest }, "forecasts stored");
    return { rows: result.rows, summary: { ...result } };
  },
});
