import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "~/generated/prisma/client";

export type Db = PrismaClient;
export { Prisma } from "~/generated/prisma/client";

export interface DbOptions {
  /** Pool size; PGlite served over a socket multiplexes few connections, so keep it small there. */
  maxConnections?: number;
  /** Postgres schema to use (tests isolate themselves by schema or database). */
  schema?: string;
  /**
   * How long to wait for a pool connection, and the default limits of an interactive transaction
   * (otherwise 5 s, and Prisma's 2 s to start and 5 s to run). Tests raise it: a busy machine
   * is not a stuck database.
   */
  busyTimeoutMs?: number;
}

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const busy = options.busyTimeoutMs;
  const adapter = new PrismaPg(
    { connectionString, max: options.maxConnections ?? 10, connectionTimeoutMillis: busy ?? 5_000 },
    options.schema ? { schema: options.schema } : undefined,
  );
  return new PrismaClient({ adapter, ...(busy === undefined ? {} : { transactionOptions: { maxWait: busy, timeout: busy } }) });
}
