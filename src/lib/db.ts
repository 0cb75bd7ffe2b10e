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
   * Default limit of an interactive transaction, for waiting for a connection and for running
   * (Prisma's defaults: 2 s and 5 s). Tests raise it: a busy machine is not a stuck transaction.
   */
  transactionTimeoutMs?: number;
}

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const adapter = new PrismaPg(
    { connectionString, max: options.maxConnections ?? 10, connectionTimeoutMillis: 5_000 },
    options.schema ? { schema: options.schema } : undefined,
  );
  const timeout = options.transactionTimeoutMs;
  return new PrismaClient({ adapter, ...(timeout === undefined ? {} : { transactionOptions: { maxWait: timeout, timeout } }) });
}
