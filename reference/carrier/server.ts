import { createHash, randomBytes, randomInt, randomUUID } from "node:crypto";
import type pg from "pg";
import type { Logger } from "pino";
import { z } from "zod";
import { createLogger } from "../../src/lib/logger";
import {
  addressSchema,
  CARRIER_EVENT_ID_HEADER,
  CARRIER_SIGNATURE_HEADER,
  parcelSchema,
  signCarrierPayload,
  type CarrierCallback,
  type ShipmentStatus,
} from "../../src/core/integrations/carrier";
import { inTransaction, openSchema } from "../lib/db";
import { HttpError, iso, parse, requireIdempotencyKey, requireServiceToken, route, serve, type Reply } from "../lib/http";

/**
 * Reference delivery carrier (docs/contracts/carrier.md). Shipments move
 * created -> in_transit -> out_for_delivery -> delivered, one step per
 * `POST /_control/shipments/{carrierRef}/advance` (or per auto-advance tick), and
 * every step is POSTed, HMAC-signed, to the configured callback URL.
 */

export interface CarrierServiceOptions {
  databaseUrl: string;
  port: number;
  host?: string;
  serviceToken: string;
  /** Connection pool size. Default 10 (keep it small on single-session PGlite). */
  poolSize?: number;
  /** Where status changes are POSTed; no callbacks when unset. */
  callbackUrl?: string;
  /** HMAC-SHA256 key for X-Lavka-Signature. Required with callbackUrl. */
  callbackSecret?: string;
  /** Advance every undelivered shipment one step on this interval. Off by default. */
  autoAdvanceMs?: number;
  /** Delivery attempts per callback before giving up. Default 5. */
  callbackMaxAttempts?: number;
  /** First retry delay, doubled per attempt. Default 500 ms. */
  callbackRetryBaseMs?: number;
  /** How long one callback attempt may take. Default 5 s. */
  callbackTimeoutMs?: number;
  logger?: Logger;
}

export interface RunningCarrierService {
  url: string;
  /** Same as POST /_control/shipments/{carrierRef}/advance, in-process. */
  advance(carrierRef: string): Promise<{ status: ShipmentStatus; eventId: string; callbackDelivered: boolean }>;
  close(): Promise<void>;
}

const DDL = `
CREATE TABLE IF NOT EXISTS shipments (
  carrier_ref text PRIMARY KEY,
  tracking_number text NOT NULL UNIQUE,
  idempotency_key text NOT NULL UNIQUE,
  request_hash text NOT NULL,
  order_ref text NOT NULL,
  status text NOT NULL CHECK (status IN ('created', 'in_transit', 'out_for_delivery', 'delivered')),
  recipient jsonb NOT NULL,
  parcels jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS tracking_events (
  id text PRIMARY KEY,
  seq bigserial NOT NULL,
  carrier_ref text NOT NULL REFERENCES shipments(carrier_ref),
  status text NOT NULL,
  description text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);
CREATE INDEX IF NOT EXISTS tracking_events_ref_idx ON tracking_events (carrier_ref, seq);
`;

const NEXT: Record<ShipmentStatus, ShipmentStatus | null> = {
  created: "in_transit",
  in_transit: "out_for_delivery",
  out_for_delivery: "delivered",
  delivered: null,
};

const DESCRIPTION: Record<ShipmentStatus, string> = {
  created: "Shipment registered with the carrier",
  in_transit: "Parcel in transit",
  out_for_delivery: "Out for delivery",
  delivered: "Delivered to the recipient",
};

const createSchema = z.strictObject({
  orderRef: z.string().min(1).max(200),
  recipient: addressSchema.strict(),
  parcels: z.array(parcelSchema.strict()).min(1).max(50),
});

interface ShipmentRow {
  carrier_ref: string;
  tracking_number: string;
  idempotency_key: string;
  request_hash: string;
  order_ref: string;
  status: ShipmentStatus;
  recipient: unknown;
  parcels: unknown;
  created_at: Date;
  updated_at: Date;
}

interface EventRow {
  id: string;
  carrier_ref: string;
  status: ShipmentStatus;
  description: string;
  occurred_at: Date;
}

const shipmentJson = (s: ShipmentRow) => ({
  carrierRef: s.carrier_ref,
  trackingNumber: s.tracking_number,
  orderRef: s.order_ref,
  status: s.status,
  recipient: s.recipient,
  parcels: s.parcels,
  createdAt: iso(s.created_at),
  updatedAt: iso(s.updated_at),
});

const eventJson = (e: EventRow) => ({ id: e.id, status: e.status, occurredAt: iso(e.occurred_at), description: e.description });

export async function startCarrierService(options: CarrierServiceOptions): Promise<RunningCarrierService> {
  const logger = options.logger ?? createLogger("ref-carrier", "warn");
  if (options.callbackUrl && !options.callbackSecret) throw new Error("callbackSecret is required with callbackUrl");
  const maxAttempts = options.callbackMaxAttempts ?? 5;
  const retryBaseMs = options.callbackRetryBaseMs ?? 500;
  const callbackTimeoutMs = options.callbackTimeoutMs ?? 5_000;
  const pool = await openSchema(options.databaseUrl, "ref_carrier", DDL, options.poolSize ?? 10);
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  async function addEvent(client: pg.PoolClient, carrierRef: string, status: ShipmentStatus): Promise<EventRow> {
    return (
      await client.query<EventRow>(
        "INSERT INTO tracking_events (id, carrier_ref, status, description) VALUES ($1, $2, $3, $4) RETURNING *",
        [`evt_${randomUUID().replaceAll("-", "")}`, carrierRef, status, DESCRIPTION[status]],
      )
    ).rows[0] as EventRow;
  }

  /** One delivery attempt; schedules the next one with backoff on failure. Resolves true on 2xx. */
  async function deliver(eventId: string): Promise<boolean> {
    if (!options.callbackUrl || !options.callbackSecret || closing) return false;
    const row = (
      await pool.query<EventRow & { tracking_number: string; order_ref: string; delivered_at: Date | null; attempts: number }>(
        `SELECT e.*, s.tracking_number, s.order_ref FROM tracking_events e JOIN shipments s USING (carrier_ref) WHERE e.id = $1`,
        [eventId],
      )
    ).rows[0];
    if (!row || row.delivered_at) return row?.delivered_at != null;
    const payload: CarrierCallback = {
      eventId: row.id,
      carrierRef: row.carrier_ref,
      trackingNumber: row.tracking_number,
      orderRef: row.order_ref,
      status: row.status,
      occurredAt: iso(row.occurred_at),
      description: row.description,
    };
    const raw = JSON.stringify(payload);
    let error: string | null = null;
    try {
      const res = await fetch(options.callbackUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [CARRIER_SIGNATURE_HEADER]: signCarrierPayload(raw, options.callbackSecret),
          [CARRIER_EVENT_ID_HEADER]: row.id,
        },
        body: raw,
        signal: AbortSignal.timeout(callbackTimeoutMs),
      });
      await res.body?.cancel();
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const attempts = row.attempts + 1;
    await pool.query(
      "UPDATE tracking_events SET attempts = $2, last_error = $3, delivered_at = CASE WHEN $3::text IS NULL THEN now() END WHERE id = $1",
      [eventId, attempts, error],
    );
    if (error === null) return true;
    logger.warn({ eventId, attempts, error }, "callback delivery failed");
    if (attempts < maxAttempts && !closing) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        deliver(eventId).catch((err: unknown) => logger.error({ err, eventId }, "callback retry failed"));
      }, retryBaseMs * 2 ** (attempts - 1));
      timers.add(timer);
    }
    return false;
  }

  async function advance(carrierRef: string) {
    const event = await inTransaction(pool, async (client) => {
      const s = (await client.query<ShipmentRow>("SELECT * FROM shipments WHERE carrier_ref = $1 FOR UPDATE", [carrierRef])).rows[0];
      if (!s) throw new HttpError(404, "not_found", `No shipment ${carrierRef}.`);
      const next = NEXT[s.status];
      if (!next) throw new HttpError(409, "already_delivered", `Shipment ${carrierRef} is already delivered.`);
      await client.query("UPDATE shipments SET status = $2, updated_at = now() WHERE carrier_ref = $1", [carrierRef, next]);
      return addEvent(client, carrierRef, next);
    });
    // Await the first delivery attempt so tests see the callback before the control call returns.
    const callbackDelivered = await deliver(event.id);
    return { status: event.status, eventId: event.id, callbackDelivered };
  }

  const routes = [
    route("GET", "/healthz", async () => {
      await pool.query("SELECT 1");
      return { status: 200, body: { status: "ok" } };
    }),

    route("POST", "/v1/shipments", async (ctx): Promise<Reply> => {
      const key = requireIdempotencyKey(ctx);
      const input = parse(createSchema, ctx.body);
      const requestHash = createHash("sha256").update(JSON.stringify(input)).digest("hex");
      const created = await inTransaction(pool, async (client) => {
        const inserted = (
          await client.query<ShipmentRow>(
            `INSERT INTO shipments (carrier_ref, tracking_number, idempotency_key, request_hash, order_ref, status, recipient, parcels)
             VALUES ($1, $2, $3, $4, $5, 'created', $6, $7)
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
            [
              `CR-${randomBytes(5).toString("hex").toUpperCase()}`,
              `LV${randomInt(100_000_000, 999_999_999)}${randomInt(100, 999)}`,
              key,
              requestHash,
              input.orderRef,
              JSON.stringify(input.recipient),
              JSON.stringify(input.parcels),
            ],
          )
        ).rows[0];
        if (!inserted) return null;
        const event = await addEvent(client, inserted.carrier_ref, "created");
        return { shipment: inserted, eventId: event.id };
      });
      if (!created) {
        // The key was used before (or concurrently, and that request has committed by now).
        const prior = (await pool.query<ShipmentRow>("SELECT * FROM shipments WHERE idempotency_key = $1", [key])).rows[0];
        if (!prior) throw new HttpError(409, "conflict", "A request with this Idempotency-Key is in progress; retry shortly.");
        if (prior.request_hash !== requestHash) {
          throw new HttpError(422, "idempotency_key_reused", "This Idempotency-Key was already used for a different shipment.");
        }
        return { status: 200, body: shipmentJson(prior), headers: { "idempotent-replayed": "true" } };
      }
      // The "created" callback goes out in the background; creation does not wait on Lavka.
      deliver(created.eventId).catch((err: unknown) => logger.error({ err }, "callback failed"));
      logger.info({ carrierRef: created.shipment.carrier_ref }, "shipment created");
      return { status: 201, body: shipmentJson(created.shipment) };
    }),

    route("GET", "/v1/shipments/:ref", async (ctx) => {
      const s = (await pool.query<ShipmentRow>("SELECT * FROM shipments WHERE carrier_ref = $1", [ctx.params.ref])).rows[0];
      if (!s) throw new HttpError(404, "not_found", `No shipment ${ctx.params.ref ?? ""}.`);
      return { status: 200, body: shipmentJson(s) };
    }),

    route("GET", "/v1/tracking/:number", async (ctx) => {
      const s = (await pool.query<ShipmentRow>("SELECT * FROM shipments WHERE tracking_number = $1", [ctx.params.number])).rows[0];
      if (!s) throw new HttpError(404, "not_found", `Unknown tracking number ${ctx.params.number ?? ""}.`);
      const events = await pool.query<EventRow>("SELECT * FROM tracking_events WHERE carrier_ref = $1 ORDER BY seq", [s.carrier_ref]);
      return {
        status: 200,
        body: { trackingNumber: s.tracking_number, carrierRef: s.carrier_ref, status: s.status, events: events.rows.map(eventJson) },
      };
    }),

    route("POST", "/_control/shipments/:ref/advance", async (ctx) => {
      const result = await advance(ctx.params.ref ?? "");
      return { status: 200, body: result };
    }),
  ];

  const server = await serve({
    port: options.port,
    host: options.host,
    routes,
    logger,
    before: (ctx, path) => {
      if (path.startsWith("/v1/") || path.startsWith("/_control")) requireServiceToken(ctx, options.serviceToken);
      return undefined;
    },
  });

  // Callbacks left undelivered by a previous run (crash, Lavka down) get another chance.
  const pending = await pool.query<{ id: string }>(
    "SELECT id FROM tracking_events WHERE delivered_at IS NULL AND attempts < $1 ORDER BY seq LIMIT 1000",
    [maxAttempts],
  );
  for (const { id } of pending.rows) void deliver(id).catch(() => undefined);

  const ticker = options.autoAdvanceMs
    ? setInterval(() => {
        void (async () => {
          const open = await pool.query<{ carrier_ref: string }>("SELECT carrier_ref FROM shipments WHERE status <> 'delivered'");
          for (const { carrier_ref } of open.rows) await advance(carrier_ref).catch(() => undefined);
        })().catch((err: unknown) => logger.error({ err }, "auto-advance failed"));
      }, options.autoAdvanceMs)
    : undefined;
  ticker?.unref();

  logger.info({ url: server.url, callbacks: Boolean(options.callbackUrl) }, "reference carrier listening");
  return {
    url: server.url,
    advance,
    async close() {
      closing = true;
      if (ticker) clearInterval(ticker);
      for (const t of timers) clearTimeout(t);
      await server.close();
      await pool.end();
    },
  };
}
