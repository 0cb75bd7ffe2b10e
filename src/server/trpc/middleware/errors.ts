/**
 * The one place the core's errors become tRPC's. Domain errors get the code of their kind, with
 * the original as cause (the error formatter sends its field and reason as data); a database
 * outage is the service being unavailable (503, "try again"), not a bug in it (500). tRPC picks
 * the HTTP status from the error's code before the error formatter runs, so the conversion
 * happens here, on the way out of the procedure.
 */
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { DomainError, type DomainErrorKind } from "~/core/errors";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "~/lib/db-errors";

const CODE: Record<DomainErrorKind, TRPC_ERROR_CODE_KEY> = {
  invalid: "BAD_REQUEST",
  unauthenticated: "UNAUTHORIZED",
  payment_required: "PAYMENT_REQUIRED",
  forbidden: "FORBIDDEN",
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  precondition_failed: "PRECONDITION_FAILED",
  unprocessable: "UNPROCESSABLE_CONTENT",
  rate_limited: "TOO_MANY_REQUESTS",
  internal: "INTERNAL_SERVER_ERROR",
  bad_gateway: "BAD_GATEWAY",
  unavailable: "SERVICE_UNAVAILABLE",
  timeout: "GATEWAY_TIMEOUT",
};

/**
 * A domain error as the TRPCError of its kind; an unexpected error caused by the database being
 * unreachable as SERVICE_UNAVAILABLE with the original as its cause (for the logs); anything
 * else, deliberate TRPCErrors included, unchanged.
 */
export function toTRPCError(error: unknown): unknown {
  const cause = error instanceof TRPCError ? error.cause : error;
  if (cause instanceof DomainError) return new TRPCError({ code: CODE[cause.kind], message: cause.message, cause });
  const unexpected = !(error instanceof TRPCError) || error.code === "INTERNAL_SERVER_ERROR";
  return unexpected && isDatabaseUnavailable(cause) ? new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNAVAILABLE_MESSAGE, cause }) : error;
}

export type ProcedureResult = { ok: true } | { ok: false; error: TRPCError };

/** The middleware's body (init.ts: `t.procedure.use(({ next }) => convertErrors(next()))`). */
export async function convertErrors<R extends ProcedureResult>(result: Promise<R>): Promise<R> {
  const done = await result;
  if (!done.ok) {
    const converted = toTRPCError(done.error);
    if (converted !== done.error) throw converted;
  }
  return done;
}
