/**
 * Telling a database outage from a bug: an outage is the service being unavailable ("try again"),
 * the API answers it 503 and the processor retries the message later.
 */
export const DATABASE_UNAVAILABLE_MESSAGE = "The database is unavailable right now; please try again shortly.";

/** Prisma: can't reach server, connect timeout, server closed the connection, pool timeout. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1017", "P2024"]);
/** The driver adapter's names for lost connections (meta.driverAdapterError.cause.kind). */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/**
 * Socket errors; PostgreSQL's admin/crash shutdown and cannot-connect-now (57P01-3), too many
 * connections (53300), connection exceptions (class 08). Only trusted from the database's own
 * errors: an HTTP client's ECONNREFUSED is another service being down, not the database.
 */
const CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EPIPE|57P0[123]|53300|08[0-9A-Z]{3})$/;
/** Wording of Prisma, node-postgres and pg-pool for a lost or refused connection. */
const MESSAGES = /Can't reach database server|Connection terminated|Server has closed the connection|timeout exceeded when trying to connect|Client has encountered a connection error/i;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  kind?: unknown;
  severity?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** Prisma's errors, its driver adapter's, and PostgreSQL's own (which carry a severity). */
function fromDatabase(e: ErrorLike): boolean {
  const name = typeof e.name === "string" ? e.name : "";
  return name.startsWith("PrismaClient") || name === "DriverAdapterError" || e.meta?.driverAdapterError !== undefined || typeof e.severity === "string";
}

/** True when the error, or anything it wraps, says the database cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: Array<{ e: unknown; database: boolean }> = [{ e: error, database: false }];
  while (pending.length > 0) {
    const { e, database: parentFromDatabase } = pending.pop()!;
    if (typeof e !== "object" || e === null || seen.has(e)) continue;
    seen.add(e);
    const err = e as ErrorLike;
    const database = parentFromDatabase || fromDatabase(err);
    const code = typeof err.code === "string" ? err.code : "";
    if (typeof err.message === "string" && MESSAGES.test(err.message)) return true;
    if (database && (PRISMA_CODES.has(code) || CODES.test(code) || (typeof err.kind === "string" && ADAPTER_KINDS.has(err.kind)))) return true;
    pending.push({ e: err.cause, database }, { e: err.meta?.driverAdapterError, database });
  }
  return false;
}
