// Event pipeline benchmark (not a test): orders/second through the whole pipeline (order.placed
// -> payment -> paid -> shipment, plus analytics and stock release) and outbox-to-consumer
// latency, over RabbitMQ or the database transport. Figures go to docs/pipeline.md.
//
//   npx tsx bench/pipeline.ts --transport amqp --orders 2000 --rate 50 --seconds 20
//
// Phase 1 (throughput): --orders orders are written at once (as checkouts would, order +
// order.placed in one transaction), timed until every one is fulfilling or cancelled.
// Phase 2 (latency): orders at a steady --rate per second for --seconds; latency is
// ProcessedMessage.processedAt - OutboxEvent.occurredAt per event and consumer (one clock: this
// process), reported as p50/p99.
// The gateway, inventory and carrier are the reference servers (real HTTP, their own schemas in
// the bench database, started in this process), reached through the worker's real clients; each
// order holds a real reservation (placed before it is written, as checkout does). The figures are
// the whole path's cost: relay, broker, consumers, PostgreSQL and the three services' HTTP calls.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createDb } from "~/lib/db";
import { startWorker } from "~/processor/worker";
import { adminQuery, databaseUrl, ensureTemplateDatabase, quoteIdent } from "../tests/helpers/postgres.ts";
import { amqpUrl, createWorld, DECLINED_TOTAL, deleteTopology, pipelineConfig, placeOrders, startReferenceServices, testLogger, uniqueNames } from "../tests/helpers/pipeline.ts";

const { values } = parseArgs({
  options: {
    transport: { type: "string", default: "amqp" },
    orders: { type: "string", default: "2000" },
    rate: { type: "string", default: "50" },
    seconds: { type: "string", default: "20" },
    prefetch: { type: "string", default: "32" },
    pool: { type: "string", default: "10" },
  },
});
const opts = z
  .object({
    transport: z.enum(["amqp", "db"]),
    orders: z.coerce.number().int().min(1),
    rate: z.coerce.number().int().min(1).max(1_000),
    seconds: z.coerce.number().int().min(1),
    prefetch: z.coerce.number().int().min(1),
    pool: z.coerce.number().int().min(1),
  })
  .parse(values);

const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const name = `lavka_bench_pipeline_${randomUUID().slice(0, 8)}`;
await adminQuery(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(await ensureTemplateDatabase())}`);
const url = databaseUrl(name);
const db = createDb(url, { maxConnections: 4 });
const workerDb = createDb(url, { maxConnections: opts.pool });
const names = uniqueNames();
const config = pipelineConfig(url, {
  ...(opts.transport === "amqp" ? { AMQP_URL: amqpUrl(), ...names } : {}),
  AMQP_PREFETCH: String(opts.prefetch),
  OUTBOX_POLL_MS: "20",
});

const services = await startReferenceServices(url);
try {
  const world = await createWorld(db, services.clients.inventory);
  const worker = await startWorker({ config, db: workerDb, logger: testLogger(), clients: services.clients, refreshSales: async () => undefined });
  const total = (i: number) => (i % 10 === 0 ? DECLINED_TOTAL : 10_000);
  const settled = async (ids: string[]) =>
    db.order.count({ where: { id: { in: ids }, status: { in: ["fulfilling", "cancelled"] } } });

  // Phase 1: throughput.
  log(`phase 1: ${opts.orders} orders at once over ${opts.transport}`);
  const started = performance.now();
  const burst = await placeOrders(db, world, opts.orders, total);
  while ((await settled(burst)) < burst.length) await sleep(100);
  const seconds = (performance.now() - started) / 1000;
  const throughput = opts.orders / seconds;
  log(`phase 1: ${seconds.toFixed(1)} s, ${throughput.toFixed(0)} orders/s`);
  const burstLatency = await latency(burst);
  const [batches] = await db.$queryRaw<{ batches: bigint; events: bigint }[]>`SELECT count(DISTINCT "publishedAt") AS batches, count(*) AS events FROM "OutboxEvent"`;
  log(`phase 1: ${batches!.events} events relayed in ${batches!.batches} batches`);

  // Phase 2: latency at a steady rate.
  log(`phase 2: ${opts.rate} orders/s for ${opts.seconds} s`);
  const steady: string[] = [];
  const tick = 100;
  const perTick = opts.rate / (1000 / tick);
  let owed = 0;
  const end = performance.now() + opts.seconds * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    owed += perTick;
    const n = Math.floor(owed);
    owed -= n;
    if (n > 0) steady.push(...(await placeOrders(db, world, n, (i) => total(i + steady.length))));
    await sleep(Math.max(0, tick - (performance.now() - t)));
  }
  while ((await settled(steady)) < steady.length) await sleep(100);
  const steadyLatency = await latency(steady);

  await worker.stop();
  const result = {
    transport: opts.transport,
    throughput: { orders: opts.orders, seconds: Number(seconds.toFixed(2)), ordersPerSecond: Number(throughput.toFixed(1)), latencyMs: burstLatency },
    steady: { ratePerSecond: opts.rate, orders: steady.length, latencyMs: steadyLatency },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await services.close();
  await workerDb.$disconnect();
  await db.$disconnect();
  if (opts.transport === "amqp") await deleteTopology(names, ["payments", "reservations", "fulfilment", "analytics"], config.EVENT_RETRY_DELAYS_MS).catch(() => undefined);
  await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

/** Outbox-to-consumer latency of these orders' events, per consumer, p50 and p99 in ms. */
async function latency(orderIds: string[]): Promise<Record<string, { p50: number; p99: number; events: number }>> {
  const rows = await db.$queryRaw<{ consumer: string; p50: number; p99: number; events: bigint }[]>`
    SELECT p.consumer,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM p."processedAt" - e."occurredAt") * 1000) AS p50,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM p."processedAt" - e."occurredAt") * 1000) AS p99,
           count(*) AS events
    FROM "ProcessedMessage" p JOIN "OutboxEvent" e ON e.id = p."eventId"
    WHERE e."aggregateId" = ANY(${orderIds})
    GROUP BY p.consumer ORDER BY p.consumer`;
  return Object.fromEntries(rows.map((r) => [r.consumer, { p50: Math.round(Number(r.p50)), p99: Math.round(Number(r.p99)), events: Number(r.events) }]));
}
