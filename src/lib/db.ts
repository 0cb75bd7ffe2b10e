import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "~/generated/prisma/client";

export type Db = PrismaClient;
export { Prisma } from "~/generated/prisma/client";

export interface DbOptions {
  /** Pool size; PGlite served over a socket multiplexes few connections, so keep it small there. */
  maxConnections?: number;
  /** Postgres schema to use (tests isolate themselves by schema or database). */
  schema?: string;
}

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const adapter = new PrismaPg(
    { connectionString, max: options.maxConnections ?? 10, connectionTimeoutMillis: 5_000 },
    options.schema ? { schema: options.schema } : undefined,
  );
  return new PrismaClient({ adapter });
}
