// Everything the scheduled jobs would compute, at once: for a freshly seeded database (the
// `npm start` demo, `db:seed --analytics`), so dashboards, forecasts and reports are not empty
// until the first scheduled runs.
import type { Db } from "~/lib/db";
import { computeCustomerStats } from "./customers";
import { runForecast } from "./demand";
import { previousWeek, storeSellerSalesReport } from "./reports";
import { aggregateSales } from "./sales";

export interface RefreshAllResult {
  salesRows: number;
  customerRows: number;
  forecastRows: number;
  reports: number;
}

export async function refreshAllAnalytics(db: Db, options: { now: Date }): Promise<RefreshAllResult> {
  const sales = await aggregateSales(db, options);
  const customers = await computeCustomerStats(db, options);
  const forecast = await runForecast(db, options);
  const week = previousWeek(options.now);
  const sellers = await db.seller.findMany({ select: { id: true }, orderBy: { id: "asc" } });
  for (const seller of sellers) await storeSellerSalesReport(db, { sellerId: seller.id, ...week, now: options.now });
  return { salesRows: sales.rows, customerRows: customers.cohortRows + customers.rfmRows, forecastRows: forecast.rows, reports: sellers.length };
}
