import { TRPCError } from "@trpc/server";
import { currentRequestId } from "~/lib/request-context";
import { inSpan } from "~/lib/trace";
import type { Context } from "../context";
import { convertErrors, type ProcedureResult } from "./errors";

interface ObserveOptions<R extends ProcedureResult> {
  ctx: Context;
  path: string;
  type: string;
  getRawInput(): Promise<unknown>;
  next(): Promise<R>;
}

/**
 * Every procedure: a span named after it (a child of the HTTP request's), the error conversion of
 * errors.ts, and the context's `afterFailure` hook with the final error code.
 */
export function observeProcedure<R extends ProcedureResult>({ ctx, path, type, getRawInput, next }: ObserveOptions<R>): Promise<R> {
  const requestId = currentRequestId();
  return inSpan(`trpc ${path}`, { attributes: { "rpc.system": "trpc", "rpc.method": path, "lavka.procedure_type": type, ...(requestId ? { "lavka.request_id": requestId } : {}) } }, async (span) => {
    const failed = async (code: string) => {
      span.setAttribute("lavka.trpc_code", code);
      if (ctx.afterFailure) await ctx.afterFailure(path, await getRawInput().catch(() => null), code);
    };
    try {
      const result = await convertErrors(next());
      if (!result.ok) await failed(result.error.code);
      return result;
    } catch (error) {
      await failed(error instanceof TRPCError ? error.code : "INTERNAL_SERVER_ERROR");
      throw error;
    }
  });
}
