import { TRPCClientError } from "@trpc/client";
import { api } from "~/web/trpc/server";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATUS: Record<string, number> = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_REQUEST: 400 };

/** A report as a CSV download, fetched with the session's token (the browser never holds it). */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!UUID.test(id)) return new Response("No such report.\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  try {
    const report = await (await api()).reports.csv.query({ id });
    const filename = report.filename.replace(/[^A-Za-z0-9._-]/g, "_");
    const body = new Blob([report.csv]).stream();
    return new Response(body, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${filename}"`,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (error) {
    const code = error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
    const status = (code && STATUS[code]) || 502;
    const message = error instanceof TRPCClientError && status !== 502 ? error.message : "The report could not be fetched right now.";
    return new Response(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
}
