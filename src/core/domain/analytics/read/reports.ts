import { DomainError } from "~/core/errors";
import { newestFirst } from "~/core/pagination";
import type { Db, Prisma } from "~/lib/db";
import { renderReportCsv, SELLER_SALES_REPORT, type SellerSalesReport } from "../reports";

export const reportSummarySelect = {
  id: true,
  kind: true,
  periodStart: true,
  periodEnd: true,
  createdAt: true,
} satisfies Prisma.ReportSelect;

export type ReportSummary = Prisma.ReportGetPayload<{ select: typeof reportSummarySelect }>;

const byCreatedAt = newestFirst("createdAt");

/** The seller's own stored reports (the processor writes them), newest first. */
export async function listReports(db: Db, sellerId: string, input: { limit: number; cursor?: string | null | undefined; kind?: string | undefined }) {
  const after = byCreatedAt.after(input.cursor);
  const rows = await db.report.findMany({
    where: {
      sellerId,
      ...(input.kind ? { kind: input.kind } : {}),
      ...after,
    },
    orderBy: byCreatedAt.orderBy(),
    take: input.limit + 1,
    select: reportSummarySelect,
  });
  return byCreatedAt.page(rows, input.limit);
}

/** One of the seller's reports with its stored figures (for kind "seller-sales": a SellerSalesReport). */
export async function getReport(db: Db, sellerId: string, id: string) {
  const report = await db.report.findFirst({ where: { id, sellerId }, select: { ...reportSummarySelect, data: true } });
  if (!report) throw new DomainError("not_found", `your shop has no report with id ${id}`, { field: "id" });
  return report;
}

/** The report as a CSV download, rendered by the processor's own renderer. */
export async function getReportCsv(db: Db, sellerId: string, id: string): Promise<{ filename: string; contentType: "text/csv"; csv: string }> {
  const report = await getReport(db, sellerId, id);
  const data = report.data as Partial<SellerSalesReport> | null;
  if (report.kind !== SELLER_SALES_REPORT || data?.version !== 1) {
    throw new DomainError("invalid", `CSV is available for ${SELLER_SALES_REPORT} reports; this one is ${report.kind}`, { field: "id" });
  }
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return {
    filename: `lavka-${report.kind}-${day(report.periodStart)}-${day(report.periodEnd)}.csv`,
    contentType: "text/csv",
    csv: renderReportCsv(data as SellerSalesReport),
  };
}
