import { createHash } from "node:crypto";
import type pg from "pg";
import type { Logger } from "pino";
import { z } from "zod";
import { createLogger } from "../../src/lib/logger";
import { inTransaction, openSchema } from "../lib/db";
import { HttpError, iso, parse, requireIdempotencyKey, requireServiceToken, route, serve } from "../lib/http";

/**
 * Reference implementation of Service 2, the inventory service (docs/contracts/inventory.md).
 *
 * Concurrency rule: every transaction that changes stock locks the stock rows it needs
 * with SELECT ... FOR UPDATE in SKU order, after locking at most one reservation row.
 * One lock order everywhere means no deadlocks, and `reserved <= on_hand` is checked
 * under the lock (and by a CHECK constraint), so no unit is ever reserved twice.
 */

export interface InventoryServiceOptions {
  databaseUrl: string;
  port: number;
  host?: string;
  serviceToken: string;
  /** Reservation lifetime when the caller does not send ttlSeconds. Default 900. */
  defaultTtlSeconds?: number;
  /** Also expire stale reservations on a timer (besides on every read). Off by default. */
  sweepIntervalMs?: number;
  /** Connection pool size. Default 10. */
  poolSize?: number;
  logger?: Logger;
  /** The clock reservations expire by (tests move it). Default: the system clock. */
  now?: () => Date;
}

export interface RunningInventoryService {
  url: string;
  close(): Promise<void>;
}

const DDL = `
CREATE TABLE IF NOT EXISTS stock (
  sku text PRIMARY KEY,
  on_hand integer NOT NULL CHECK (on_hand >= 0),
  reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT reserved_within_on_hand CHECK (reserved <= on_hand)
);
CREATE TABLE IF NOT EXISTS reservations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE,
  request_hash text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'committed', 'released', 'expired')),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS reservations_active_expiry_idx ON reservations (expires_at) WHERE status = 'active';
CREATE TABLE IF NOT EXISTS reservation_lines (
  reservation_id uuid NOT NULL REFERENCES reservations(id) ON DELETE CASCADE,
  sku text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (reservation_id, sku)
);
CREATE INDEX IF NOT EXISTS reservation_lines_sku_idx ON reservation_lines (sku);
CREATE TABLE IF NOT EXISTS adjustments (
  idempotency_key text PRIMARY KEY,
  sku text NOT NULL,
  delta integer NOT NULL,
  request_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

const skuSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "SKU must be 1-64 of A-Z a-z 0-9 . _ -");
const MAX_BATCH = 200;

const reserveSchema = z.strictObject({
  lines: z
    .array(z.strictObject({ sku: skuSchema, quantity: z.number().int().min(1).max(100_000) }))
    .min(1, "at least one line is required")
    .max(100),
  ttlSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional(),
});
const setStockSchema = z.strictObject({ onHand: z.number().int().min(0).max(1_000_000_000) });
const adjustSchema = z.strictObject({
  delta: z
    .number()
    .int()
    .min(-1_000_000_000)
    .max(1_000_000_000)
    .refine((d) => d !== 0, "delta must not be 0"),
});

interface StockRow {
  sku: string;
  on_hand: number;
  reserved: number;
  updated_at: Date;
}

interface ReservationRow {
  id: string;
  idempotency_key: string;
  request_hash: string;
  status: "active" | "committed" | "released" | "expired";
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

type Line = { sku: string; quantity: number };

const stockJson = (r: StockRow) => ({
  sku: r.sku,
  onHand: r.on_hand,
  reserved: r.reserved,
  available: r.on_hand - r.reserved,
  updatedAt: iso(r.updated_at),
});

const reservationJson = (r: ReservationRow, lines: Line[]) => ({
  id: r.id,
  idempotencyKey: r.idempotency_key,
  status: r.status,
  lines,
  expiresAt: iso(r.expires_at),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

const sha256 = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

/** Sums duplicate SKUs and sorts by SKU: the canonical form used for locking and for the request hash. */
function normalizeLines(lines: Line[]): Line[] {
  const bySku = new Map<string, number>();
  for (const l of lines) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.quantity);
  return [...bySku.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([sku, quantity]) => ({ sku, quantity }));
}

const isUuid = (v: string) => z.uuid().safeParse(v).success;

/** Thrown inside a transaction when another request already owns the idempotency key. */
class KeyTaken extends Error {}

export async function startInventoryService(options: InventoryServiceOptions): Promise<RunningInventoryService> {
  const logger = options.logger ?? createLogger("ref-inventory", "warn");
  const defaultTtl = options.defaultTtlSeconds ?? 900;
  const now = options.now ?? (() => new Date());
  const pool = await openSchema(options.databaseUrl, "ref_inventory", DDL, options.poolSize ?? 10);

  async function loadLines(db: pg.Pool | pg.PoolClient, reservationId: string): Promise<Line[]> {
    const rows = await db.query<Line>(
      "SELECT sku, quantity FROM reservation_lines WHERE reservation_id = $1 ORDER BY sku",
      [reservationId],
    );
    return rows.rows;
  }

  /**
   * Takes an active reservation's units off `reserved` (and, for a commit, off `on_hand`); caller
   * holds the reservation row lock. The service itself keeps `reserved` equal to the sum of active
   * reservations, but a stock row edited by hand (a harness that reset `reserved = 0` under live
   * reservations) would make the decrement negative: the CHECK constraint then failed the whole
   * request, and since every read expires stale reservations first, every later read, reserve and
   * expiry touching that SKU answered 500. The count floors at 0 instead, with a warning.
   */
  async function takeReserved(client: pg.PoolClient, reservationId: string, lines: Line[], commit: boolean) {
    const skus = lines.map((l) => l.sku);
    const rows = await client.query<StockRow>("SELECT * FROM stock WHERE sku = ANY($1) ORDER BY sku FOR UPDATE", [skus]);
    const short = lines.filter((l) => (rows.rows.find((r) => r.sku === l.sku)?.reserved ?? 0) < l.quantity);
    if (short.length > 0) logger.warn({ reservationId, skus: short.map((l) => l.sku) }, "stock counts fewer reserved units than an active reservation holds; flooring at 0");
    await client.query(
      `UPDATE stock s SET reserved = GREATEST(s.reserved - l.quantity, 0),
         on_hand = CASE WHEN $3 THEN s.on_hand - l.quantity ELSE s.on_hand END, updated_at = now()
       FROM unnest($1::text[], $2::int[]) AS l(sku, quantity) WHERE s.sku = l.sku`,
      [skus, lines.map((l) => l.quantity), commit],
    );
  }

  /** Gives the units of an active reservation back to stock; caller holds the reservation row lock. */
  async function returnUnits(client: pg.PoolClient, reservationId: string, status: "released" | "expired") {
    const lines = await loadLines(client, reservationId);
    await takeReserved(client, reservationId, lines, false);
    const updated = await client.query<ReservationRow>(
      "UPDATE reservations SET status = $2, updated_at = now() WHERE id = $1 RETURNING *",
      [reservationId, status],
    );
    return { row: updated.rows[0] as ReservationRow, lines };
  }

  /** Expires active reservations past their time, optionally only those touching `skus`. */
  async function expireStale(skus?: string[]): Promise<number> {
    const due = await pool.query<{ id: string }>(
      skus
        ? `SELECT DISTINCT r.id FROM reservations r JOIN reservation_lines l ON l.reservation_id = r.id
           WHERE r.status = 'active' AND r.expires_at <= $1 AND l.sku = ANY($2) LIMIT 500`
        : `SELECT id FROM reservations WHERE status = 'active' AND expires_at <= $1 LIMIT 500`,
      skus ? [now(), skus] : [now()],
    );
    let expired = 0;
    // One small transaction per reservation keeps lock order (reservation, then stock by SKU).
    for (const { id } of due.rows) {
      const done = await inTransaction(pool, async (client) => {
        // The WHERE is re-checked after the lock, so a reservation committed meanwhile is left alone.
        const locked = await client.query(
          "SELECT id FROM reservations WHERE id = $1 AND status = 'active' AND expires_at <= $2 FOR UPDATE",
          [id, now()],
        );
        if (locked.rowCount === 0) return false;
        await returnUnits(client, id, "expired");
        return true;
      });
      if (done) expired += 1;
    }
    if (expired > 0) logger.info({ expired }, "expired stale reservations");
    return expired;
  }

  async function findByKey(key: string) {
    return (await pool.query<ReservationRow>("SELECT * FROM reservations WHERE idempotency_key = $1", [key])).rows[0];
  }

  async function replay(existing: ReservationRow, requestHash: string) {
    if (existing.request_hash !== requestHash) {
      throw new HttpError(
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different set of lines; use a new key for a new reservation.",
      );
    }
    return {
      status: 200,
      body: reservationJson(existing, await loadLines(pool, existing.id)),
      headers: { "idempotent-replayed": "true" },
    };
  }

  /** Locks a reservation for a state change; 404 when unknown. */
  async function lockReservation(client: pg.PoolClient, id: string): Promise<ReservationRow> {
    const row = isUuid(id)
      ? (await client.query<ReservationRow>("SELECT * FROM reservations WHERE id = $1 FOR UPDATE", [id])).rows[0]
      : undefined;
    if (!row) throw new HttpError(404, "not_found", `No reservation ${id}.`);
    return row;
  }

  const routes = [
    route("GET", "/healthz", async () => {
      await pool.query("SELECT 1");
      return { status: 200, body: { status: "ok" } };
    }),

    route("GET", "/v1/stock", async (ctx) => {
      const raw = ctx.query.get("skus") ?? "";
      const skus = [...new Set(raw.split(",").filter((s) => s.length > 0))];
      if (skus.length === 0) throw new HttpError(400, "validation_failed", "Query parameter skus=a,b,c is required.");
      if (skus.length > MAX_BATCH) throw new HttpError(400, "validation_failed", `At most ${MAX_BATCH} SKUs per request.`);
      for (const sku of skus) parse(skuSchema, sku);
      await expireStale(skus);
      const rows = await pool.query<StockRow>("SELECT * FROM stock WHERE sku = ANY($1) ORDER BY sku", [skus]);
      const found = new Set(rows.rows.map((r) => r.sku));
      return { status: 200, body: { items: rows.rows.map(stockJson), missing: skus.filter((s) => !found.has(s)) } };
    }),

    route("GET", "/v1/stock/:sku", async (ctx) => {
      const sku = parse(skuSchema, ctx.params.sku);
      await expireStale([sku]);
      const row = (await pool.query<StockRow>("SELECT * FROM stock WHERE sku = $1", [sku])).rows[0];
      if (!row) throw new HttpError(404, "not_found", `No stock record for SKU ${sku}.`);
      return { status: 200, body: stockJson(row) };
    }),

    route("PUT", "/v1/stock/:sku", async (ctx) => {
      const sku = parse(skuSchema, ctx.params.sku);
      const { onHand } = parse(setStockSchema, ctx.body);
      await expireStale([sku]);
      const row = (
        await pool.query<StockRow>(
          `INSERT INTO stock (sku, on_hand) VALUES ($1, $2)
           ON CONFLICT (sku) DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = now()
           WHERE stock.reserved <= EXCLUDED.on_hand
           RETURNING *`,
          [sku, onHand],
        )
      ).rows[0];
      if (!row) {
        throw new HttpError(409, "below_reserved", `Cannot set on-hand for ${sku} below the units currently reserved.`);
      }
      return { status: 200, body: stockJson(row) };
    }),

    route("POST", "/v1/stock/:sku/adjustments", async (ctx) => {
      const sku = parse(skuSchema, ctx.params.sku);
      const { delta } = parse(adjustSchema, ctx.body);
      const key = ctx.header("idempotency-key");
      const requestHash = sha256({ sku, delta });
      await expireStale([sku]);
      const row = await inTransaction(pool, async (client) => {
        const current = (await client.query<StockRow>("SELECT * FROM stock WHERE sku = $1 FOR UPDATE", [sku])).rows[0];
        if (!current) throw new HttpError(404, "not_found", `No stock record for SKU ${sku}; create it with PUT first.`);
        if (key) {
          const inserted = await client.query(
            `INSERT INTO adjustments (idempotency_key, sku, delta, request_hash) VALUES ($1, $2, $3, $4)
             ON CONFLICT (idempotency_key) DO NOTHING`,
            [key, sku, delta, requestHash],
          );
          if (inserted.rowCount === 0) {
            const prior = (
              await client.query<{ request_hash: string }>("SELECT request_hash FROM adjustments WHERE idempotency_key = $1", [key])
            ).rows[0];
            if (prior?.request_hash !== requestHash) {
              throw new HttpError(422, "idempotency_key_reused", "This Idempotency-Key was already used for a different adjustment.");
            }
            return current; // Already applied: answer with the current level, change nothing.
          }
        }
        if (current.on_hand + delta < current.reserved) {
          throw new HttpError(409, "below_reserved", `Adjusting ${sku} by ${delta} would leave fewer units than are reserved.`, {
            onHand: current.on_hand,
            reserved: current.reserved,
          });
        }
        return (
          await client.query<StockRow>("UPDATE stock SET on_hand = on_hand + $2, updated_at = now() WHERE sku = $1 RETURNING *", [
            sku,
            delta,
          ])
        ).rows[0] as StockRow;
      });
      return { status: 200, body: stockJson(row) };
    }),

    route("DELETE", "/v1/stock/:sku", async (ctx) => {
      const sku = parse(skuSchema, ctx.params.sku);
      await expireStale([sku]);
      await inTransaction(pool, async (client) => {
        const current = (await client.query<StockRow>("SELECT * FROM stock WHERE sku = $1 FOR UPDATE", [sku])).rows[0];
        if (!current) return; // Deleting twice is fine.
        if (current.reserved > 0) {
          throw new HttpError(409, "has_reservations", `${current.reserved} units of ${sku} are reserved; release or commit them first.`);
        }
        await client.query("DELETE FROM stock WHERE sku = $1", [sku]);
      });
      return { status: 204 };
    }),

    route("POST", "/v1/reservations", async (ctx) => {
      const key = requireIdempotencyKey(ctx);
      const input = parse(reserveSchema, ctx.body);
      const lines = normalizeLines(input.lines);
      const requestHash = sha256(lines);
      const ttl = input.ttlSeconds ?? defaultTtl;

      const existing = await findByKey(key);
      if (existing) return replay(existing, requestHash);

      const skus = lines.map((l) => l.sku);
      await expireStale(skus);
      try {
        const created = await inTransaction(pool, async (client) => {
          // Lock in SKU order (lines are sorted): concurrent multi-SKU reservations cannot deadlock.
          const rows = await client.query<StockRow>("SELECT * FROM stock WHERE sku = ANY($1) ORDER BY sku FOR UPDATE", [skus]);
          const bySku = new Map(rows.rows.map((r) => [r.sku, r]));
          const shortages = lines.flatMap((l) => {
            const row = bySku.get(l.sku);
            const available = row ? row.on_hand - row.reserved : 0;
            return available < l.quantity ? [{ sku: l.sku, requested: l.quantity, available: Math.max(0, available) }] : [];
          });
          if (shortages.length > 0) {
            const first = shortages[0] as { sku: string; available: number };
            throw new HttpError(
              409,
              "insufficient_stock",
              shortages.length === 1
                ? `Only ${first.available} of ${first.sku} available.`
                : `Not enough stock for ${shortages.length} items (${shortages.map((s) => s.sku).join(", ")}).`,
              { shortages },
            );
          }
          const inserted = await client.query<ReservationRow>(
            `INSERT INTO reservations (idempotency_key, request_hash, status, expires_at)
             VALUES ($1, $2, 'active', $3::timestamptz + make_interval(secs => $4))
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
            [key, requestHash, now(), ttl],
          );
          const reservation = inserted.rows[0];
          if (!reservation) throw new KeyTaken();
          await client.query(
            `INSERT INTO reservation_lines (reservation_id, sku, quantity)
             SELECT $1, sku, quantity FROM unnest($2::text[], $3::int[]) AS l(sku, quantity)`,
            [reservation.id, skus, lines.map((l) => l.quantity)],
          );
          await client.query(
            `UPDATE stock s SET reserved = s.reserved + l.quantity, updated_at = now()
             FROM unnest($1::text[], $2::int[]) AS l(sku, quantity) WHERE s.sku = l.sku`,
            [skus, lines.map((l) => l.quantity)],
          );
          return reservation;
        });
        return { status: 201, body: reservationJson(created, lines) };
      } catch (err) {
        if (!(err instanceof KeyTaken)) throw err;
        // A concurrent request with the same key won the race: answer with its reservation.
        const winner = await findByKey(key);
        if (!winner) throw err;
        return replay(winner, requestHash);
      }
    }),

    route("POST", "/v1/reservations/expire", async () => ({ status: 200, body: { expired: await expireStale() } })),

    route("GET", "/v1/reservations/:id", async (ctx) => {
      const id = ctx.params.id ?? "";
      const load = async () =>
        isUuid(id) ? (await pool.query<ReservationRow>("SELECT * FROM reservations WHERE id = $1", [id])).rows[0] : undefined;
      let row = await load();
      if (!row) throw new HttpError(404, "not_found", `No reservation ${id}.`);
      const lines = await loadLines(pool, id);
      if (row.status === "active" && row.expires_at.getTime() <= now().getTime()) {
        // Expire on read, so callers never see an "active" reservation that no longer holds stock.
        await expireStale(lines.map((l) => l.sku));
        row = (await load()) ?? row;
      }
      return { status: 200, body: reservationJson(row, lines) };
    }),

    route("POST", "/v1/reservations/:id/commit", async (ctx) => {
      const result = await inTransaction(pool, async (client) => {
        const row = await lockReservation(client, ctx.params.id ?? "");
        if (row.status === "committed") return { row, lines: await loadLines(client, row.id) };
        if (row.status === "active" && row.expires_at.getTime() <= now().getTime()) {
          await returnUnits(client, row.id, "expired");
          return { expired: true as const };
        }
        if (row.status !== "active") {
          throw new HttpError(409, `reservation_${row.status}`, `Reservation ${row.id} is ${row.status} and can no longer be committed.`);
        }
        const lines = await loadLines(client, row.id);
        await takeReserved(client, row.id, lines, true);
        const updated = await client.query<ReservationRow>(
          "UPDATE reservations SET status = 'committed', updated_at = now() WHERE id = $1 RETURNING *",
          [row.id],
        );
        return { row: updated.rows[0] as ReservationRow, lines };
      });
      // Expiry is committed before answering, so the units really are back in stock.
      if ("expired" in result) {
        throw new HttpError(409, "reservation_expired", "The reservation expired before it was committed; reserve again.");
      }
      return { status: 200, body: reservationJson(result.row, result.lines) };
    }),

    route("POST", "/v1/reservations/:id/release", async (ctx) => {
      const result = await inTransaction(pool, async (client) => {
        const row = await lockReservation(client, ctx.params.id ?? "");
        if (row.status === "committed") {
          throw new HttpError(409, "reservation_committed", `Reservation ${row.id} is committed; its units are sold.`);
        }
        if (row.status !== "active") return { row, lines: await loadLines(client, row.id) };
        return returnUnits(client, row.id, "released");
      });
      return { status: 200, body: reservationJson(result.row, result.lines) };
    }),
  ];

  const server = await serve({
    port: options.port,
    host: options.host,
    routes,
    logger,
    before: (ctx, path) => {
      if (path.startsWith("/v1/")) requireServiceToken(ctx, options.serviceToken);
      return undefined;
    },
  });
  const sweep = options.sweepIntervalMs
    ? setInterval(() => {
        expireStale().catch((err: unknown) => logger.error({ err }, "expiry sweep failed"));
      }, options.sweepIntervalMs)
    : undefined;
  sweep?.unref();
  logger.info({ url: server.url }, "reference inventory service listening");
  return {
    url: server.url,
    async close() {
      if (sweep) clearInterval(sweep);
      await server.close();
      await pool.end();
    },
  };
}
