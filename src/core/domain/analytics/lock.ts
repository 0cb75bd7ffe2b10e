import type { Db, Prisma } from "~/lib/db";

export type Tx = Prisma.TransactionClient;

export type Locked<T> = { acquired: true; value: T } | { acquired: false };

export interface LockOptions {
  /** Wait for the lock (up to `lockTimeoutMs`) instead of giving up at once. */
  wait?: boolean;
  lockTimeoutMs?: number;
  /** Upper bound for the whole transaction: a full aggregation of a large history takes minutes. */
  timeoutMs?: number;
}

/**
 * Runs `work` in one transaction that holds a transaction-scoped advisory lock named after the
 * job. A second run (another process, a CronJob overlapping a manual Job) does not get the lock
 * and is skipped; the lock goes away with the transaction, so a crashed run never leaves it held.
 * One transaction also means a run that fails half-way leaves the tables exactly as they were.
 */
export async function withAdvisoryLock<T>(db: Db, name: string, work: (tx: Tx) => Promise<T>, options: LockOptions = {}): Promise<Locked<T>> {
  return db.$transaction(
    async (tx) => {
      const key = `lavka.processor:${name}`;
      if (options.wait) {
        // lock_timeout also bounds advisory-lock waits, so a consumer never hangs behind a backfill.
        await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs ?? 10_000))}`);
        await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${key}))::text AS locked`;
      } else {
        const rows = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtext(${key})) AS locked`;
        if (!rows[0]?.locked) return { acquired: false } as const;
      }
      return { acquired: true, value: await work(tx) } as const;
    },
    { maxWait: 30_000, timeout: options.timeoutMs ?? 60 * 60_000 },
  );
}
