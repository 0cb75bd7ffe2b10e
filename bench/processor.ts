// Processor benchmark (not a test): seeds a fresh database, then times the full sales
// aggregation, one incremental hour, the forecast of every product, customer statistics and a
// seller report. Figures go to docs/processor.md.
//
//   npx tsx bench/processor.ts --orders 1000000 --products 10000 --sellers 50 --days 365
//
// BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) must be able to
// create databases; the bench database is dropped at the end unless --keep is given.
import { parseArgs } from "node:util";
import pg from "pg";
import { z } from "zod";
import { createDb } from "~/lib/db";
import { computeCustomerStats } from "~/core/domain/analytics/customers";
import { runForecast } from "~/core/domain/analytics/demand";
import { buildSellerSalesReport } from "~/core/domain/analytics/reports";
import { aggregateSales } from "~/core/domain/analytics/sales";
import { applyMigrations } from "../scripts/db/engine.ts";
import { seedDatabase } from "../scripts/db/seed-data.ts";
import { createProgress } from "../scripts/db/progress.ts";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "1000000" },
    products: { type: "string", default: "10000" },
    sellers: { type: "string", default: "50" },
    days: { type: "string", default: "365" },
    seed: { type: "string", default: "42" },
    keep: { type: "boolean", default: false },
  },
});
const opts = z
  .object({ orders: z.coerce.number().int().min(1), products: z.coerce.number().int().min(1), sellers: z.coerce.number().int().min(1), days: z.coerce.number().int().min(28), seed: z.coerce.number().int() })
  .parse(values);
const adminUrl = z.string().default("postgresql://postgres@127.0.0.1:5432/postgres").parse(process.env.BENCH_ADMIN_URL);

const HOUR = 3_600_000;
const END = new Date("2026-11-23T00:00:00Z");
const name = `lavka_bench_${process.pid}`;
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const benchUrl = url.toString();
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);
const time = async <T>(label: string, fn: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const v = await fn();
  const ms = Math.round(performance.now() - t);
  log(`${label}: ${(ms / 1000).toFixed(2)} s`);
  return [v, ms];
};

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

await admin(`CREATE DATABASE "${name}"`);
const db = createDb(benchUrl, { maxConnections: 3 });
try {
  await applyMigrations(benchUrl, "prisma/migrations", () => undefined);
  log(`seeding ${opts.orders} orders, ${opts.products} products, ${opts.sellers} sellers over ${opts.days} days into ${name}`);
  const progress = createProgress(process.stderr, { label: "seed", unit: "orders" });
  const [seed] = await time("seed", () => seedDatabase(benchUrl, { ...opts, end: END, batchSize: 10_000, onProgress: progress.update }));
  progress.stop();

  const [full, fullMs] = await time("aggregate-sales (full)", () => aggregateSales(db, { now: END }));
  // Settle the watermark overlap so the measured run sees only the new hour.
  await aggregateSales(db, { now: new Date(END.getTime() + HOUR) });

  // One new hour (19:00, a busy one): copies of the orders placed in the same hour a week
  // earlier, with new ids and the same buyers.
  const hourStart = new Date(END.getTime() + 19 * HOUR);
  const copied = await db.$executeRawUnsafe(
    `WITH src AS (SELECT * FROM "Order" WHERE "placedAt" >= $1::timestamptz - interval '7 days' AND "placedAt" < $1::timestamptz - interval '7 days' + interval '1 hour')
     INSERT INTO "Order" (id, "buyerId", status, currency, "subtotalMinor", "shippingMinor", "totalMinor", "idempotencyKey", "shippingAddress", "placedAt", "paidAt", "updatedAt")
     SELECT md5(id::text || 'bench')::uuid, "buyerId", 'paid', currency, "subtotalMinor", "shippingMinor", "totalMinor", "idempotencyKey" || '-bench',
            "shippingAddress", "placedAt" + interval '7 days', "placedAt" + interval '7 days', $1::timestamptz + interval '1 hour'
     FROM src`,
    hourStart.toISOString(),
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "OrderLine" (id, "orderId", "productId", "sellerId", sku, title, "unitPriceMinor", currency, quantity, "lineTotalMinor")
     SELECT md5(l.id::text || 'bench')::uuid, o.id, l."productId", l."sellerId", l.sku, l.title, l."unitPriceMinor", l.currency, l.quantity, l."lineTotalMinor"
     FROM "OrderLine" l JOIN "Order" o ON o.id = md5(l."orderId"::text || 'bench')::uuid`,
  );
  const [incremental, incrementalMs] = await time(`aggregate-sales (one new hour, ${copied} orders)`, () =>
    aggregateSales(db, { now: new Date(END.getTime() + 20 * HOUR + 60_000) }),
  );

  const [forecast, forecastMs] = await time("forecast", () => runForecast(db, { now: new Date(END.getTime() + 24 * HOUR) }));
  const [customers, customersMs] = await time("customer-stats", () => computeCustomerStats(db, { now: END }));
  const seller = seed.demoUsers.find((u) => u.role === "seller")!.sellerId!;
  const [, reportMs] = await time("sales-report (demo seller, 30 days)", () =>
    buildSellerSalesReport(db, { sellerId: seller, from: new Date(END.getTime() - 30 * 24 * HOUR), to: END, now: END }),
  );

  const result = {
    machine: "2 vCPU shared, PostgreSQL 15 on 127.0.0.1",
    options: opts,
    seed: { rows: seed.rows, counts: seed.counts, seconds: seed.durationMs / 1000, rowsPerSecond: seed.rowsPerSecond },
    fullAggregation: { seconds: fullMs / 1000, days: full.days, rows: full.rows },
    incrementalHour: { seconds: incrementalMs / 1000, newOrders: copied, days: incremental.days, rows: incremental.rows },
    forecast: { seconds: forecastMs / 1000, products: forecast.products, rows: forecast.rows, models: forecast.models, backtest: forecast.backtest },
    customerStats: { seconds: customersMs / 1000, ...customers },
    sellerReportSeconds: reportMs / 1000,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await db.$disconnect();
  if (!values.keep) await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
// The wasm schema engine leaves a timer behind.
process.exit(0);
