// `npm run db:seed -- --sellers 50 --products 10000 --orders 1000000 --days 365 --seed 42 [--end ISO] [--reset]`
// Writes generated sales history (see seed-data.ts) and prints a JSON summary on stdout,
// including the demo accounts' ids and emails for whoever registers them with the auth service.
import { parseArgs } from "node:util";
import { z } from "zod";
import { createDb } from "~/lib/db";
import { refreshAllAnalytics } from "~/core/domain/analytics/refresh-all";
import { createProgress } from "./progress.ts";
import { DEFAULT_SEED_OPTIONS, seedDatabase } from "./seed-data.ts";

const { values } = parseArgs({
  options: {
    sellers: { type: "string" },
    products: { type: "string" },
    orders: { type: "string" },
    days: { type: "string" },
    seed: { type: "string" },
    end: { type: "string" },
    reset: { type: "boolean", default: false },
    analytics: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  process.stdout.write(
    "usage: npm run db:seed -- [--sellers 8] [--products 120] [--orders 3000] [--days 120] [--seed 42] [--end 2026-11-24T10:00:00Z] [--reset] [--analytics]\n",
  );
  process.exit(0);
}

const count = (min: number) => z.coerce.number().int().min(min);
const flags = z
  .object({
    sellers: count(1).default(DEFAULT_SEED_OPTIONS.sellers),
    products: count(1).default(DEFAULT_SEED_OPTIONS.products),
    orders: count(0).default(DEFAULT_SEED_OPTIONS.orders),
    days: count(1).max(3650).default(DEFAULT_SEED_OPTIONS.days),
    seed: count(0).default(DEFAULT_SEED_OPTIONS.seed),
    end: z.coerce.date().optional(),
  })
  .safeParse(values);
const env = z.object({ DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// URL") }).safeParse(process.env);
if (!flags.success || !env.success) {
  const issues = [...(flags.error?.issues ?? []), ...(env.error?.issues ?? [])];
  process.stderr.write(`db:seed: ${issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ")}\n`);
  process.exit(64);
}

// On stderr: stdout carries the JSON summary.
const progress = createProgress(process.stderr, { label: "db:seed", unit: "orders" });
try {
  const summary = await seedDatabase(env.data.DATABASE_URL, { ...flags.data, reset: values.reset, onProgress: progress.update }).finally(() => progress.stop());
  process.stderr.write(`db:seed: ${summary.rows} rows in ${(summary.durationMs / 1000).toFixed(1)} s (${summary.rowsPerSecond} rows/s)\n`);
  if (values.analytics) {
    // Aggregates, customer statistics, forecasts and last week's reports, as the jobs would.
    const db = createDb(env.data.DATABASE_URL, { maxConnections: 2 });
    try {
      const analytics = await refreshAllAnalytics(db, { now: flags.data.end ?? new Date() });
      process.stderr.write(`db:seed: analytics ${JSON.stringify(analytics)}\n`);
    } finally {
      await db.$disconnect();
    }
  }
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} catch (error) {
  process.stderr.write(`db:seed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
