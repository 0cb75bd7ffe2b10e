// Lavka through a real PgBouncer in transaction mode, as deployed (manifests/base/pgbouncer.yaml):
// each server connection belongs to a client for one transaction only, and the pool is smaller
// than the clients' pools. Checkout under concurrency, the order pipeline over the database
// transport, a job guarded by its advisory lock and the migration guard all run through it;
// applying migrations goes direct, and the last test shows why.
import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "~/lib/db";
import { aggregateSalesJob } from "~/processor/jobs/aggregate-sales";
import { runJob } from "~/processor/jobs/run-job";
import { startWorker } from "~/processor/worker";
import { SALES_LOCK } from "~/core/domain/analytics/sales";
import { applyMigrations } from "../../scripts/db/engine.ts";
import { waitForMigrations } from "../../scripts/images/wait-for-migrations.ts";
import { createMetricsRegistry } from "~/lib/metrics";
import { createApiServer } from "~/server/http/server";
import { send } from "../fuzz/http.ts";
import { startTestApi } from "../helpers/api.ts";
import { adminQuery, createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { createSellerUser, createStockedProduct, createUser, fillCart } from "../helpers/fixtures.ts";
import { startPgBouncer, type RunningPgBouncer } from "../helpers/pgbouncer.ts";
import {
  ADDRESS,
  createWorld,
  DECLINED_TOTAL,
  eventCounts,
  pipelineConfig,
  placeOrders,
  processedCounts,
  startReferenceServices,
  statusCounts,
  testLogger,
} from "../helpers/pipeline.ts";
import { databaseUrl, migrationsDir, quoteIdent } from "../helpers/postgres.ts";
import { CALL_TIMEOUT_MS, waitFor } from "../helpers/wait.ts";

const POOL_SIZE = 4;
let bouncer: RunningPgBouncer;
const databaseOf = (url: string) => new URL(url).pathname.slice(1);

beforeAll(async () => {
  bouncer = await startPgBouncer({ poolSize: POOL_SIZE });
});
afterAll(() => bouncer?.close());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
}

describe("checkout through PgBouncer", () => {
  it(`60 buyers at once on ${POOL_SIZE} server connections: 10 units sell exactly 10; a key retried at once makes one order`, async () => {
    // 20 client connections (the API's pool) share the 4 server connections.
    const api = await startTestApi({ maxConnections: 20, inventoryPoolSize: 10, clientUrl: bouncer.urlFor });
    try {
      const { db } = api.deps;
      const seller = await createSellerUser(db);
      const product = await createStockedProduct(api.deps, seller.sellerId, 10);
      const buyers = await Promise.all(Array.from({ length: 60 }, () => createUser(db)));
      await Promise.all(buyers.map((b) => fillCart(db, b.id, [{ productId: product.id, quantity: 1 }])));
      // PgBouncer's own view while the burst runs: how many clients, on how many server connections.
      const database = databaseOf(api.database.url);
      const seen = { clients: 0, servers: 0 };
      let bursting = true;
      const sampling = (async () => {
        while (bursting) {
          const pools = await bouncer.pools(database);
          seen.clients = Math.max(seen.clients, pools.clients);
          seen.servers = Math.max(seen.servers, pools.servers);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const codes = await Promise.all(
        buyers.map((b) => codeOf(api.caller(b).checkout.place({ idempotencyKey: randomUUID(), shippingAddress: ADDRESS }))),
      ).finally(() => {
        bursting = false;
      });
      await sampling;
      // Multiplexed: many more clients than server connections.
      expect(seen.servers).toBeGreaterThan(0);
      expect(seen.servers).toBeLessThanOrEqual(POOL_SIZE);
      expect(seen.clients).toBeGreaterThan(2 * POOL_SIZE);
      expect(codes.filter((c) => c === "OK")).toHaveLength(10);
      expect(codes.filter((c) => c !== "OK").every((c) => c === "CONFLICT")).toBe(true);
      expect(await db.orderLine.aggregate({ where: { productId: product.id }, _sum: { quantity: true } })).toEqual({ _sum: { quantity: 10 } });
      expect(await api.deps.inventory.getStock(product.sku)).toMatchObject({ onHand: 10, reserved: 10, available: 0 });

      // One key, five requests at once: one order; the others conflict or get that same order.
      const buyer = await createUser(db);
      const other = await createStockedProduct(api.deps, seller.sellerId, 5);
      await fillCart(db, buyer.id, [{ productId: other.id, quantity: 1 }]);
      const key = randomUUID();
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => api.caller(buyer).checkout.place({ idempotencyKey: key, shippingAddress: ADDRESS })),
      );
      const ids = new Set(results.flatMap((r) => (r.status === "fulfilled" ? [r.value.id] : [])));
      expect(ids.size).toBe(1);
      for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "CONFLICT" });
      expect(await db.order.count({ where: { buyerId: buyer.id } })).toBe(1);
      expect(await db.payment.count({ where: { order: { buyerId: buyer.id } } })).toBe(1);
      expect((await bouncer.stats(database)).transactions).toBeGreaterThan(60);
    } finally {
      await api.close();
    }
  });
});

describe("sign-in limits through PgBouncer", () => {
  it("two API servers count failed sign-ins in one table: the fourth attempt is refused on either", async () => {
    // rate-limiter-flexible names its prepared statements; through transaction pooling a named
    // statement is missing on the next server connection. The limiter's store sends them unnamed.
    const api = await startTestApi({ maxConnections: 6, clientUrl: bouncer.urlFor });
    const servers = [0, 1].map((i) =>
      createApiServer({ deps: api.deps, registry: createMetricsRegistry(`pgb-rl-${i}`), maxBodyBytes: 100_000, authRateLimits: { login: { perIp: { max: 100, windowMs: 86_400_000 }, perAccountFailures: { max: 3, windowMs: 86_400_000 } } } }),
    );
    try {
      const bases = await Promise.all(
        servers.map(
          (s) =>
            new Promise<string>((resolve) => s.server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(s.server.address() as { port: number }).port}`))),
        ),
      );
      const login = (base: string, password: string) =>
        send(base, { method: "POST", path: "/trpc/auth.login", headers: { "content-type": "application/json" }, body: JSON.stringify({ json: { email: "guess@example.test", password } }) });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await login(bases[i % 2]!, `wrong-${i}`)).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await Promise.all(servers.map((s) => s.shutdown(1_000)));
      await api.close();
    }
  });
});

describe("the processor through PgBouncer", () => {
  let testDb: TestDatabase;
  let db: Db;
  let services: Awaited<ReturnType<typeof startReferenceServices>>;
  let world: Awaited<ReturnType<typeof createWorld>>;
  const logger = testLogger();

  beforeAll(async () => {
    testDb = await createTestDatabase({ clientUrl: bouncer.urlFor });
    db = testDb.db;
    // The external services are not Lavka's: they keep their direct connections.
    services = await startReferenceServices(testDb.url);
    world = await createWorld(db, services.clients.inventory);
  });
  afterAll(async () => {
    await services?.close();
    await testDb?.drop();
  });

  it("two workers over the database transport: 100 orders reach paid or cancelled exactly once", async () => {
    const pooledUrl = bouncer.urlFor(testDb.url);
    // The analytics consumer's sales refresh is the aggregation job's code, run by the next test.
    const refreshed = new Set<string>();
    const workers = await Promise.all(
      [1, 2].map(async () => {
        const workerDb = createDb(pooledUrl, { maxConnections: 8 });
        const handle = await startWorker({
          config: pipelineConfig(pooledUrl),
          db: workerDb,
          logger,
          clients: services.clients,
          refreshSales: async (_db, ids) => ids.forEach((id) => refreshed.add(id)),
        });
        return { workerDb, handle };
      }),
    );
    try {
      const ids = await placeOrders(db, world, 100, (i) => (i % 10 === 0 ? DECLINED_TOTAL : 10_000));
      await waitFor(
        async () => {
          const counts = await statusCounts(db, ids);
          return (counts.fulfilling ?? 0) + (counts.cancelled ?? 0) === 100 && (await processedCounts(db)).analytics === 90 && (await db.outboxEvent.count({ where: { publishedAt: null } })) === 0;
        },
        { describe: async () => `orders to settle: ${JSON.stringify(await statusCounts(db, ids))} ${JSON.stringify(await processedCounts(db))}` },
      );
      expect(await statusCounts(db, ids)).toEqual({ fulfilling: 90, cancelled: 10 });
      expect(await eventCounts(db)).toEqual({
        "order.placed": 100,
        "payment.authorized": 90,
        "order.paid": 90,
        "payment.failed": 10,
        "order.cancelled": 10,
        "shipment.created": 90,
      });
      expect(await processedCounts(db)).toEqual({ payments: 100, fulfilment: 90, reservations: 10, analytics: 90 });
      expect(await db.deadLetter.count()).toBe(0);
      const ledger = await services.ledger();
      expect(ledger.payments).toEqual({ captured: 90, declined: 10 });
      expect(ledger.reservations).toEqual({ committed: 90, released: 10 });
      expect(ledger.shipments).toBe(90);
      expect(refreshed.size).toBe(90);
    } finally {
      for (const w of workers) await w.handle.stop();
      await Promise.all(workers.map((w) => w.workerDb.$disconnect()));
    }
  });

  it("a job holding its transaction-scoped advisory lock: a second run is skipped, and the lock ends with the transaction", async () => {
    const run = () => runJob(aggregateSalesJob, {}, { db, logger, trigger: "job" });
    // Another run (another pod) holds the lock inside its transaction, through PgBouncer.
    const skipped = await db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`lavka.processor:${SALES_LOCK}`}))::text`;
        return run();
      },
      { maxWait: CALL_TIMEOUT_MS, timeout: CALL_TIMEOUT_MS },
    );
    expect(skipped.summary).toMatchObject({ skipped: true });
    // That transaction is over, its server connection back in the pool: the lock went with it.
    const again = await run();
    expect(again.summary).toMatchObject({ skipped: false });
    // Two at once, on a pool of 4 shared with everything else: never both, and one does the work.
    const both = await Promise.all([run(), run()]);
    expect(both.filter((r) => !(r.summary as { skipped: boolean }).skipped).length).toBeGreaterThanOrEqual(1);
    expect(await db.jobRun.count({ where: { name: aggregateSalesJob.name, status: "succeeded" } })).toBe(4);
    // The run that did the work counted every paid order of the previous test once.
    const sales = await db.salesHourly.aggregate({ where: { productId: world.productId }, _sum: { units: true, orders: true } });
    const counted = await db.order.count({ where: { status: { in: ["paid", "fulfilling", "shipped", "delivered"] } } });
    expect(sales._sum).toEqual({ units: counted, orders: counted });
  });
});

describe("migrations with PgBouncer", () => {
  it("the migration Job applies them directly; the init containers' guard reads them through PgBouncer", async () => {
    const name = `lavka_t_${Math.floor(Date.now() / 1000)}_pgb_${randomUUID().slice(0, 8)}`;
    await adminQuery(`CREATE DATABASE ${quoteIdent(name)}`);
    try {
      const direct = databaseUrl(name);
      const guard = (timeoutMs: number) => waitForMigrations({ databaseUrl: bouncer.urlFor(direct), migrationsDir, timeoutMs, log: () => undefined });
      expect(await guard(500)).toBe(false);
      const applied = await applyMigrations(direct, migrationsDir);
      const folders = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory());
      expect(applied).toHaveLength(folders.length);
      expect(await guard(10_000)).toBe(true);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    }
  });

  it("why the migration Job goes direct: a session-level advisory lock taken through PgBouncer outlives its client", async () => {
    const testDb = await createTestDatabase({ maxConnections: 1 });
    const key = Math.floor(Math.random() * 1_000_000_000);
    try {
      // What the migration engine does (SELECT pg_advisory_lock(72707369)), then its client goes away.
      const client = new pg.Client({ connectionString: bouncer.urlFor(testDb.url) });
      await client.connect();
      await client.query("SELECT pg_advisory_lock($1)", [key]);
      await client.end();
      // The server connection went back to PgBouncer's pool with the lock still held: the next
      // migration run would wait for it until PgBouncer happens to close that connection.
      const held = await testDb.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ${key}::oid AND granted`;
      expect(held[0]?.n).toBe(1);
    } finally {
      await testDb.drop();
    }
  });
});

describe("no session state relied on across transactions", () => {
  // Statements that leave state on a connection after their transaction: under transaction
  // pooling the next transaction on that connection may belong to another client.
  /** A raw SQL call (Prisma's $queryRaw/$executeRaw, pg's query) whose statement starts so. */
  const statement = (start: string) => new RegExp(`(\\$(execute|query)Raw(Unsafe)?|\\.query)\\s*\\(?\\s*[\`'"]\\s*${start}`, "i");
  const SESSION_STATE: [RegExp, string][] = [
    [/pg_(try_)?advisory_lock(_shared)?\s*\(/, "session-level advisory lock (use pg_advisory_xact_lock)"],
    [statement("SET\\s+(?!LOCAL\\b|TRANSACTION\\b)"), "SET outside a transaction's scope (use SET LOCAL)"],
    [/set_config\s*\([^)]*,\s*false\s*\)/i, "set_config(..., false) is session-wide"],
    [statement("(UN)?LISTEN\\b"), "LISTEN needs a direct connection"],
    [statement("PREPARE\\b"), "named prepared statements"],
    [/statementNameGenerator/, "named prepared statements"],
    [/WITH\s+HOLD/i, "cursor kept past its transaction"],
    [/CREATE\s+TEMP(ORARY)?\s+TABLE\s+\S+\s+(?!ON\s+COMMIT\s+DROP)/i, "temporary table kept past its transaction"],
  ];

  async function sources(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries
      .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !e.parentPath.includes("generated"))
      .map((e) => path.join(e.parentPath, e.name));
  }

  it("src/ (everything the API and processor run) uses none of it", async () => {
    const root = path.resolve(import.meta.dirname, "../../src");
    const files = await sources(root);
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const file of files) {
      const text = await readFile(file, "utf8");
      for (const [pattern, why] of SESSION_STATE) {
        if (pattern.test(text)) found.push(`${path.relative(root, file)}: ${why}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("the audit would notice", () => {
    const hits = (sql: string) => SESSION_STATE.filter(([p]) => p.test(sql)).length;
    expect(hits("await tx.$queryRaw`SELECT pg_advisory_lock(1)`")).toBe(1);
    expect(hits("await db.$executeRawUnsafe(`SET statement_timeout = 1000`)")).toBe(1);
    expect(hits("await client.query('LISTEN orders')")).toBe(1);
    expect(hits("CREATE TEMP TABLE x AS SELECT 1")).toBe(1);
    expect(hits("await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = 10`)")).toBe(0);
    expect(hits("SELECT pg_advisory_xact_lock(1); CREATE TEMP TABLE x ON COMMIT DROP AS SELECT 1")).toBe(0);
    expect(hits('UPDATE "Order" SET status = \'paid\'')).toBe(0);
  });
});
