// The embedded mode (`npm start` without DATABASE_URL) seeds and aggregates PGlite served over
// the wire protocol: the same SQL must work there.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "~/lib/db";
import { refreshAllAnalytics } from "~/core/domain/analytics/refresh-all";
import { applyMigrations } from "./engine.ts";
import { seedDatabase } from "./seed-data.ts";
import { startPgliteServer, type PgliteServer } from "../local/pglite-server.ts";
import { CALL_TIMEOUT_MS } from "../../tests/helpers/wait.ts";

let dir: string;
let server: PgliteServer;
let db: Db;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lavka-seed-pglite-"));
  server = await startPgliteServer({ dataDir: dir, port: 0 });
  await applyMigrations(server.url, path.resolve(import.meta.dirname, "../../prisma/migrations"));
  db = createDb(server.url, { maxConnections: 2, busyTimeoutMs: CALL_TIMEOUT_MS });
});
afterAll(async () => {
  await db?.$disconnect();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("seed and analytics on PGlite", () => {
  it("seeds, then aggregates, forecasts and reports", async () => {
    const end = new Date("2026-05-04T00:00:00Z");
    const summary = await seedDatabase(server.url, { sellers: 2, products: 12, orders: 500, days: 40, seed: 4, end });
    expect(summary.counts.Order).toBe(500);
    const result = await refreshAllAnalytics(db, { now: end });
    expect(result.salesRows).toBeGreaterThan(0);
    expect(result.forecastRows).toBeGreaterThan(0);
    expect(result.reports).toBe(2);
    const hourly = await db.salesHourly.aggregate({ _sum: { units: true } });
    const lines = await db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT COALESCE(sum(l.quantity), 0)::int AS n FROM "OrderLine" l JOIN "Order" o ON o.id = l."orderId"
       WHERE o.status IN ('paid', 'fulfilling', 'shipped', 'delivered')`,
    );
    expect(hourly._sum.units).toBe(lines[0]!.n);
  });
});
