import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import type { Logger } from "pino";
import { z } from "zod";
import { createLogger } from "../../src/lib/logger";
import { inTransaction, openSchema } from "../lib/db";
import {
  errorReply,
  HttpError,
  iso,
  parse,
  requireIdempotencyKey,
  requireServiceToken,
  route,
  serve,
  type Reply,
  type RequestContext,
} from "../lib/http";

/**
 * Reference payment gateway (docs/contracts/payment.md).
 *
 * Decline rules, deterministic so tests can aim at them:
 *  - an amount whose last two minor-unit digits are 13 (e.g. 10013) is declined (`card_declined`);
 *  - a card token ending with one of `declineCardsEndingWith` is declined (`card_declined`).
 * Outages and latency are simulated through options or `POST /_control` at runtime.
 */

export interface PaymentFailureModes {
  /** Probability (0..1) that a /v1 request fails with 500 before doing anything. */
  failRate: number;
  /** The next N /v1 requests fail with 500 (deterministic version of failRate). */
  failNext: number;
  /** Delay added before every /v1 request. */
  latencyMs: number;
  /** Every /v1 request answers 503. */
  down: boolean;
  /** Card tokens ending with any of these are declined. */
  declineCardsEndingWith: string[];
}

export interface PaymentServiceOptions extends Partial<PaymentFailureModes> {
  databaseUrl: string;
  port: number;
  host?: string;
  serviceToken: string;
  /** Connection pool size. Default 10 (keep it small on single-session PGlite). */
  poolSize?: number;
  logger?: Logger;
  /** Random source for failRate, injectable for tests. */
  random?: () => number;
}

export interface RunningPaymentService {
  url: string;
  /** Same as POST /_control, in-process. */
  setFailureModes(modes: Partial<PaymentFailureModes>): PaymentFailureModes;
  /**
   * Holds the next `count` /v1 requests before any work until `release()`, later ones pass (in
   * process only): a call provably in flight for exactly as long as a test needs, where a fixed
   * latency would race a slow machine.
   */
  holdNext(count: number): GatewayHold;
  close(): Promise<void>;
}

export interface GatewayHold {
  /** Requests waiting under this hold. */
  readonly waiting: number;
  /** Lets the held requests continue. */
  release(): void;
}

const DDL = `
CREATE TABLE IF NOT EXISTS payments (
  id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('authorized', 'declined', 'captured', 'partially_refunded', 'refunded', 'voided')),
  amount bigint NOT NULL CHECK (amount > 0),
  currency text NOT NULL,
  captured_amount bigint NOT NULL DEFAULT 0,
  refunded_amount bigint NOT NULL DEFAULT 0,
  reference text NOT NULL,
  card_last4 text NOT NULL,
  decline_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (refunded_amount <= captured_amount AND captured_amount <= amount)
);
CREATE INDEX IF NOT EXISTS payments_reference_idx ON payments (reference);
CREATE TABLE IF NOT EXISTS refunds (
  id text PRIMARY KEY,
  payment_id text NOT NULL REFERENCES payments(id),
  amount bigint NOT NULL CHECK (amount > 0),
  reason text,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Tables made by an earlier version held amounts as integer (at most 2^31 - 1): widen them.
ALTER TABLE payments ALTER COLUMN amount TYPE bigint, ALTER COLUMN captured_amount TYPE bigint, ALTER COLUMN refunded_amount TYPE bigint;
ALTER TABLE refunds ALTER COLUMN amount TYPE bigint;
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key text PRIMARY KEY,
  operation text NOT NULL,
  request_hash text NOT NULL,
  response_status integer,
  response_body jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

// BIGINT columns; JSON numbers are exact up to 2^53 - 1, so that is the cap (IDR, VND and KRW
// amounts pass 2^31 easily).
const amountSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** pg reads BIGINT as a string; the amounts here are capped at 2^53 - 1, so a number is exact. */
const bigintAsNumber: pg.CustomTypesConfig = {
  getTypeParser: (oid: number, format?: "text" | "binary") => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)),
};
const authorizeSchema = z.strictObject({
  amount: amountSchema,
  currency: z.string().regex(/^[A-Z]{3}$/, "currency must be an ISO 4217 code like EUR"),
  reference: z.string().min(1).max(200),
  paymentMethod: z.strictObject({ type: z.literal("card"), token: z.string().min(4).max(200) }),
});
const captureSchema = z.strictObject({ amount: amountSchema.optional() });
const refundSchema = z.strictObject({ amount: amountSchema, reason: z.string().max(500).optional() });
const controlSchema = z.strictObject({
  failRate: z.number().min(0).max(1).optional(),
  failNext: z.number().int().min(0).optional(),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  down: z.boolean().optional(),
  declineCardsEndingWith: z.array(z.string().min(1).max(4)).optional(),
});

interface PaymentRow {
  id: string;
  status: string;
  amount: number;
  currency: string;
  captured_amount: number;
  refunded_amount: number;
  reference: string;
  card_last4: string;
  decline_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

interface RefundRow {
  id: string;
  payment_id: string;
  amount: number;
  reason: string | null;
  created_at: Date;
}

const paymentJson = (p: PaymentRow) => ({
  id: p.id,
  status: p.status,
  amount: p.amount,
  currency: p.currency,
  capturedAmount: p.captured_amount,
  refundedAmount: p.refunded_amount,
  reference: p.reference,
  declineReason: p.decline_reason,
  createdAt: iso(p.created_at),
  updatedAt: iso(p.updated_at),
});

const refundJson = (r: RefundRow, currency: string) => ({
  id: r.id,
  paymentId: r.payment_id,
  amount: r.amount,
  currency,
  reason: r.reason,
  createdAt: iso(r.created_at),
});

const newId = (prefix: string) => `${prefix}_${randomUUID().replaceAll("-", "")}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPaymentService(options: PaymentServiceOptions): Promise<RunningPaymentService> {
  const logger = options.logger ?? createLogger("ref-payment", "warn");
  const random = options.random ?? Math.random;
  const modes: PaymentFailureModes = {
    failRate: options.failRate ?? 0,
    failNext: options.failNext ?? 0,
    latencyMs: options.latencyMs ?? 0,
    down: options.down ?? false,
    declineCardsEndingWith: options.declineCardsEndingWith ?? [],
  };
  const setFailureModes = (patch: Partial<PaymentFailureModes>) => {
    Object.assign(modes, patch);
    logger.info({ modes }, "failure modes changed");
    return { ...modes };
  };
  const pool = await openSchema(options.databaseUrl, "ref_payment", DDL, options.poolSize ?? 10, bigintAsNumber);
  let hold: { left: number; waiting: number; released: Promise<void>; release(): void } | null = null;
  const holdNext = (count: number): GatewayHold => {
    let open!: () => void;
    const released = new Promise<void>((resolve) => (open = resolve));
    const current = {
      left: count,
      waiting: 0,
      released,
      release() {
        if (hold === current) hold = null;
        open();
      },
    };
    hold = current;
    return {
      get waiting() {
        return current.waiting;
      },
      release: current.release,
    };
  };

  /**
   * Runs a mutating operation once per Idempotency-Key. The key row is inserted first
   * in the same transaction, so a concurrent duplicate waits for the first request and
   * then replays its stored answer instead of charging twice.
   */
  async function once(
    ctx: RequestContext,
    operation: string,
    body: unknown,
    run: (client: pg.PoolClient) => Promise<Reply>,
  ): Promise<Reply> {
    const key = requireIdempotencyKey(ctx);
    const requestHash = createHash("sha256").update(JSON.stringify([operation, body])).digest("hex");
    return inTransaction(pool, async (client) => {
      const claimed = await client.query(
        "INSERT INTO idempotency_keys (key, operation, request_hash) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
        [key, operation, requestHash],
      );
      if (claimed.rowCount === 0) {
        const prior = (
          await client.query<{ request_hash: string; response_status: number; response_body: unknown }>(
            "SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE key = $1",
            [key],
          )
        ).rows[0];
        if (!prior || prior.request_hash !== requestHash) {
          throw new HttpError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request; use a new key for a new operation.",
          );
        }
        return { status: prior.response_status, body: prior.response_body, headers: { "idempotent-replayed": "true" } };
      }
      let reply: Reply;
      try {
        reply = await run(client);
      } catch (err) {
        // Business rejections (409 etc.) are answers too: store them so a retry gets the same one.
        if (!(err instanceof HttpError) || err.status >= 500) throw err;
        reply = errorReply(err.status, err.code, err.message, err.details);
      }
      await client.query("UPDATE idempotency_keys SET response_status = $2, response_body = $3 WHERE key = $1", [
        key,
        reply.status,
        JSON.stringify(reply.body),
      ]);
      return reply;
    });
  }

  async function lockPayment(client: pg.PoolClient, id: string): Promise<PaymentRow> {
    const row = (await client.query<PaymentRow>("SELECT * FROM payments WHERE id = $1 FOR UPDATE", [id])).rows[0];
    if (!row) throw new HttpError(404, "not_found", `No payment ${id}.`);
    return row;
  }

  const routes = [
    route("GET", "/healthz", async () => {
      await pool.query("SELECT 1");
      return { status: 200, body: { status: "ok" } };
    }),
    route("GET", "/_control", () => ({ status: 200, body: modes })),
    route("POST", "/_control", (ctx) => ({ status: 200, body: setFailureModes(parse(controlSchema, ctx.body ?? {})) })),

    route("POST", "/v1/payments", async (ctx) => {
      const input = parse(authorizeSchema, ctx.body);
      return once(ctx, "authorize", input, async (client) => {
        const last4 = input.paymentMethod.token.slice(-4);
        const declineReason =
          input.amount % 100 === 13
            ? "card_declined"
            : modes.declineCardsEndingWith.some((suffix) => input.paymentMethod.token.endsWith(suffix))
              ? "card_declined"
              : null;
        const row = (
          await client.query<PaymentRow>(
            `INSERT INTO payments (id, status, amount, currency, reference, card_last4, decline_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
            [newId("pay"), declineReason ? "declined" : "authorized", input.amount, input.currency, input.reference, last4, declineReason],
          )
        ).rows[0] as PaymentRow;
        logger.info({ paymentId: row.id, status: row.status, amount: row.amount, currency: row.currency }, "authorization");
        return { status: 201, body: paymentJson(row) };
      });
    }),

    route("POST", "/v1/payments/:id/capture", async (ctx) => {
      const input = parse(captureSchema, ctx.body ?? {});
      const id = ctx.params.id ?? "";
      return once(ctx, `capture:${id}`, input, async (client) => {
        const p = await lockPayment(client, id);
        if (p.status !== "authorized") {
          throw new HttpError(409, "invalid_state", `Payment ${id} is ${p.status}; only an authorized payment can be captured.`);
        }
        const amount = input.amount ?? p.amount;
        if (amount > p.amount) {
          throw new HttpError(409, "capture_exceeds_authorized", `Cannot capture ${amount}; only ${p.amount} was authorized.`);
        }
        const row = (
          await client.query<PaymentRow>(
            "UPDATE payments SET status = 'captured', captured_amount = $2, updated_at = now() WHERE id = $1 RETURNING *",
            [id, amount],
          )
        ).rows[0] as PaymentRow;
        return { status: 200, body: paymentJson(row) };
      });
    }),

    route("POST", "/v1/payments/:id/refunds", async (ctx) => {
      const input = parse(refundSchema, ctx.body);
      const id = ctx.params.id ?? "";
      return once(ctx, `refund:${id}`, input, async (client) => {
        const p = await lockPayment(client, id);
        if (p.status !== "captured" && p.status !== "partially_refunded") {
          throw new HttpError(409, "invalid_state", `Payment ${id} is ${p.status}; only a captured payment can be refunded.`);
        }
        const refundable = p.captured_amount - p.refunded_amount;
        if (input.amount > refundable) {
          throw new HttpError(409, "refund_exceeds_captured", `Cannot refund ${input.amount}; ${refundable} remains refundable.`, {
            refundable,
          });
        }
        const refunded = p.refunded_amount + input.amount;
        const payment = (
          await client.query<PaymentRow>(
            "UPDATE payments SET refunded_amount = $2, status = $3, updated_at = now() WHERE id = $1 RETURNING *",
            [id, refunded, refunded === p.captured_amount ? "refunded" : "partially_refunded"],
          )
        ).rows[0] as PaymentRow;
        const refund = (
          await client.query<RefundRow>("INSERT INTO refunds (id, payment_id, amount, reason) VALUES ($1, $2, $3, $4) RETURNING *", [
            newId("re"),
            id,
            input.amount,
            input.reason ?? null,
          ])
        ).rows[0] as RefundRow;
        return { status: 201, body: { refund: refundJson(refund, p.currency), payment: paymentJson(payment) } };
      });
    }),

    route("POST", "/v1/payments/:id/void", async (ctx) => {
      const id = ctx.params.id ?? "";
      return once(ctx, `void:${id}`, {}, async (client) => {
        const p = await lockPayment(client, id);
        if (p.status !== "authorized") {
          throw new HttpError(409, "invalid_state", `Payment ${id} is ${p.status}; only an authorized payment can be voided.`);
        }
        const row = (
          await client.query<PaymentRow>("UPDATE payments SET status = 'voided', updated_at = now() WHERE id = $1 RETURNING *", [id])
        ).rows[0] as PaymentRow;
        return { status: 200, body: paymentJson(row) };
      });
    }),

    route("GET", "/v1/payments/:id", async (ctx) => {
      const row = (await pool.query<PaymentRow>("SELECT * FROM payments WHERE id = $1", [ctx.params.id])).rows[0];
      if (!row) throw new HttpError(404, "not_found", `No payment ${ctx.params.id ?? ""}.`);
      return { status: 200, body: paymentJson(row) };
    }),

    route("GET", "/v1/payments", async (ctx) => {
      const reference = parse(z.string().min(1).max(200), ctx.query.get("reference") ?? "");
      const rows = await pool.query<PaymentRow>("SELECT * FROM payments WHERE reference = $1 ORDER BY created_at, id", [reference]);
      return { status: 200, body: { items: rows.rows.map(paymentJson) } };
    }),
  ];

  const server = await serve({
    port: options.port,
    host: options.host,
    routes,
    logger,
    before: async (ctx, path) => {
      if (path.startsWith("/v1/") || path.startsWith("/_control")) requireServiceToken(ctx, options.serviceToken);
      if (!path.startsWith("/v1/")) return undefined;
      // Simulated trouble happens before any work, so a retried request is always safe.
      if (modes.down) return errorReply(503, "unavailable", "The payment gateway is down (simulated outage).");
      if (modes.latencyMs > 0) await sleep(modes.latencyMs);
      if (hold && hold.left > 0) {
        const current = hold;
        current.left -= 1;
        current.waiting += 1;
        await current.released;
      }
      if (modes.failNext > 0) {
        modes.failNext -= 1;
        return errorReply(500, "internal", "Simulated gateway failure.");
      }
      if (modes.failRate > 0 && random() < modes.failRate) return errorReply(500, "internal", "Simulated gateway failure.");
      return undefined;
    },
  });
  logger.info({ url: server.url }, "reference payment gateway listening");
  return {
    url: server.url,
    setFailureModes,
    holdNext,
    async close() {
      hold?.release();
      await server.close();
      await pool.end();
    },
  };
}
