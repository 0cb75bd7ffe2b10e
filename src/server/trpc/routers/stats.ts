import { z } from "zod";
import { requireOwnSellerId } from "~/core/domain/actor";
import { productForecast, reorderSoonForSeller } from "~/core/domain/analytics/read/forecasts";
import { salesSummary, salesTimeseries, topProducts } from "~/core/domain/analytics/read/sales";
import { replicaOrPrimary } from "../context";
import { router, sellerProcedure } from "../init";

// A Date (superjson) or an ISO 8601 string. Not z.coerce.date(): Date's lenient parser reads a
// year out of text such as "0!x" and the request ran on garbage.
const instant = z.union([z.date(), z.iso.datetime({ offset: true }), z.iso.date()], { error: "must be an ISO 8601 date or date-time" }).pipe(z.coerce.date());
const period = { from: instant, to: instant };

export const statsSummaryInput = z.strictObject(period);
export const statsTimeseriesInput = z.strictObject({ ...period, granularity: z.enum(["hour", "day"]).default("day") });
export const statsTopProductsInput = z.strictObject({ ...period, limit: z.number().int().min(1).max(100).default(10) });
export const statsForecastInput = z.strictObject({ productId: z.uuid() });
export const statsReorderSoonInput = z.strictObject({ leadTimeDays: z.number().int().min(1).max(28).default(7) }).default({ leadTimeDays: 7 });

/**
 * A seller's own sales figures, read from the processor's aggregates on the replica (replicaOrPrimary(ctx));
 * who the seller is comes from the primary.
 */
export const statsRouter = router({
  summary: sellerProcedure
    .input(statsSummaryInput)
    .query(async ({ ctx, input }) => salesSummary(replicaOrPrimary(ctx), await requireOwnSellerId(ctx.db, ctx.user), input)),
  timeseries: sellerProcedure
    .input(statsTimeseriesInput)
    .query(async ({ ctx, input }) => salesTimeseries(replicaOrPrimary(ctx), await requireOwnSellerId(ctx.db, ctx.user), input)),
  topProducts: sellerProcedure
    .input(statsTopProductsInput)
    .query(async ({ ctx, input }) => topProducts(replicaOrPrimary(ctx), await requireOwnSellerId(ctx.db, ctx.user), input)),
  forecast: sellerProcedure
    .input(statsForecastInput)
    .query(async ({ ctx, input }) => productForecast(replicaOrPrimary(ctx), await requireOwnSellerId(ctx.db, ctx.user), input.productId, ctx.now())),
  reorderSoon: sellerProcedure
    .input(statsReorderSoonInput)
    .query(async ({ ctx, input }) => reorderSoonForSeller({ db: replicaOrPrimary(ctx), inventory: ctx.inventory }, await requireOwnSellerId(ctx.db, ctx.user), input, ctx.now())),
});
