import { z } from "zod";
import { cursorText, singleLineText } from "~/core/text";
import { requireOwnSellerId } from "~/core/domain/actor";
import { getReport, getReportCsv, listReports } from "~/core/domain/analytics/read/reports";
import { replicaOrPrimary } from "../context";
import { router, sellerProcedure } from "../init";

export const reportsListInput = z.strictObject({
  limit: z.number().int().min(1).max(100).default(20),
  cursor: cursorText.nullish(),
  kind: singleLineText({ min: 1, max: 50 }).optional(),
});
export const reportIdInput = z.strictObject({ id: z.uuid() });

/** The seller's own period reports (the processor generates them), read from the replica (replicaOrPrimary(ctx)). */
export const reportsRouter = router({
  list: sellerProcedure.input(reportsListInput).query(async ({ ctx, input }) => listReports(replicaOrPrimary(ctx), await requireOwnSellerId(ctx.db, ctx.user), input)),
  get: sellerProcedure.input(reportIdInput).query(async ({ ctx, input }) => getReport(replicaOrPrimary(ctx), await requireOwnSellerId(ctx.db, ctx.user), input.id)),
  csv: sellerProcedure.input(reportIdInput).query(async ({ ctx, input }) => getReportCsv(replicaOrPrimary(ctx), await requireOwnSellerId(ctx.db, ctx.user), input.id)),
});
