import { z } from "zod";
import { ExternalServiceError, orNull } from "./errors";
import { createHttpClient, type ClientOptions, type HttpClient } from "./http";

/**
 * Client for Service 2, the inventory service (contract: docs/contracts/inventory.md).
 * Stock is counted per SKU; checkout reserves it (all lines or none), then commits
 * the reservation when the order is paid or releases it when it is not.
 */

/** SKUs are short ASCII tokens so they travel safely in paths and comma lists. */
export const skuSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "SKU must be 1-64 of A-Z a-z 0-9 . _ -");

export const stockLevelSchema = z.object({
  sku: z.string(),
  onHand: z.number().int().nonnegative(),
  reserved: z.number().int().nonnegative(),
  available: z.number().int(),
  updatedAt: z.iso.datetime(),
});
export type StockLevel = z.infer<typeof stockLevelSchema>;

export const stockBatchSchema = z.object({
  items: z.array(stockLevelSchema),
  /** Requested SKUs the service has no record of (treat as 0 available). */
  missing: z.array(z.string()),
});
export type StockBatch = z.infer<typeof stockBatchSchema>;

export const reservationStatusSchema = z.enum(["active", "committed", "released", "expired"]);
export type ReservationStatus = z.infer<typeof reservationStatusSchema>;

export const reservationLineSchema = z.object({
  sku: z.string(),
  quantity: z.number().int().positive(),
});
export type ReservationLine = z.infer<typeof reservationLineSchema>;

export const reservationSchema = z.object({
  id: z.string().min(1),
  idempotencyKey: z.string(),
  status: reservationStatusSchema,
  lines: z.array(reservationLineSchema).min(1),
  expiresAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Reservation = z.infer<typeof reservationSchema>;

/** `details` of a 409 `insufficient_stock` rejection: which lines could not be met. */
export const insufficientStockDetailsSchema = z.object({
  shortages: z.array(z.object({ sku: z.string(), requested: z.number(), available: z.number() })),
});
export type InsufficientStockDetails = z.infer<typeof insufficientStockDetailsSchema>;

export interface ReserveInput {
  lines: ReservationLine[];
  /** One key per checkout attempt: the same key returns the same reservation. */
  idempotencyKey: string;
  /** Seconds until an uncommitted reservation is released. Service default 900. */
  ttlSeconds?: number;
}

export interface InventoryClient {
  /** Null when the SKU has no stock record. */
  getStock(sku: string): Promise<StockLevel | null>;
  /** Up to 200 SKUs in one call. */
  getStockMany(skus: string[]): Promise<StockBatch>;
  /** Sets on-hand to an absolute value, creating the record. Rejects 409 `below_reserved`. */
  setStock(sku: string, onHand: number): Promise<StockLevel>;
  /** Adds `delta` (may be negative). Retried only when an idempotency key is given. */
  adjustStock(sku: string, delta: number, idempotencyKey?: string): Promise<StockLevel>;
  /** Removes the record. Rejects 409 `has_reservations` while units are reserved. */
  deleteStock(sku: string): Promise<void>;
  /**
   * Reserves every line or none. Rejects 409 `insufficient_stock` (details:
   * InsufficientStockDetails) and 422 `idempotency_key_reused` for a key sent
   * earlier with different lines.
   */
  reserve(input: ReserveInput): Promise<Reservation>;
  getReservation(id: string): Promise<Reservation | null>;
  /** Turns reserved units into sold ones. Repeating is a no-op; rejects 409 if released or expired. */
  commitReservation(id: string): Promise<Reservation>;
  /** Returns the units. Repeating is a no-op; rejects 409 if already committed. */
  releaseReservation(id: string): Promise<Reservation>;
  /** Releases every active reservation past its expiry; returns how many. */
  expireReservations(): Promise<{ expired: number }>;
  readonly http: HttpClient;
}

export interface InventoryClientOptions extends ClientOptions {
  serviceToken: string;
}

export const MAX_BATCH_SKUS = 200;

/** Reads `details` of an insufficient_stock rejection, or null for any other error. */
export function insufficientStockDetails(err: unknown): InsufficientStockDetails | null {
  if (!(err instanceof ExternalServiceError) || err.code !== "insufficient_stock") return null;
  const parsed = insufficientStockDetailsSchema.safeParse(err.details);
  return parsed.success ? parsed.data : null;
}

export function createInventoryClient(options: InventoryClientOptions): InventoryClient {
  const http = createHttpClient({
    ...options,
    service: "inventory",
    defaultTimeoutMs: 3_000,
    headers: { "x-service-token": options.serviceToken },
  });
  const skuPath = (sku: string) => `/v1/stock/${encodeURIComponent(sku)}`;
  const reservationPath = (id: string) => `/v1/reservations/${encodeURIComponent(id)}`;

  return {
    http,
    getStock: (sku) =>
      orNull(http.request({ method: "GET", path: skuPath(sku), schema: stockLevelSchema, idempotent: true, operation: "read stock" })),
    async getStockMany(skus) {
      const unique = [...new Set(skus)];
      if (unique.length === 0) return { items: [], missing: [] };
      if (unique.length > MAX_BATCH_SKUS) {
        throw new RangeError(`getStockMany takes at most ${MAX_BATCH_SKUS} SKUs, got ${unique.length}`);
      }
      return http.request({
        method: "GET",
        path: "/v1/stock",
        searchParams: { skus: unique.join(",") },
        schema: stockBatchSchema,
        idempotent: true,
        operation: "read stock levels",
      });
    },
    setStock: (sku, onHand) =>
      http.request({
        method: "PUT",
        path: skuPath(sku),
        json: { onHand },
        schema: stockLevelSchema,
        idempotent: true,
        operation: "set stock",
      }),
    adjustStock: (sku, delta, idempotencyKey) =>
      http.request({
        method: "POST",
        path: `${skuPath(sku)}/adjustments`,
        json: { delta },
        schema: stockLevelSchema,
        ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
        operation: "adjust stock",
      }),
    deleteStock: (sku) =>
      http.request({ method: "DELETE", path: skuPath(sku), schema: null, idempotent: true, operation: "delete stock" }),
    reserve: (input) =>
      http.request({
        method: "POST",
        path: "/v1/reservations",
        json: { lines: input.lines, ...(input.ttlSeconds !== undefined ? { ttlSeconds: input.ttlSeconds } : {}) },
        idempotencyKey: input.idempotencyKey,
        schema: reservationSchema,
        operation: "reserve stock",
      }),
    getReservation: (id) =>
      orNull(
        http.request({ method: "GET", path: reservationPath(id), schema: reservationSchema, idempotent: true, operation: "read a reservation" }),
      ),
    commitReservation: (id) =>
      http.request({
        method: "POST",
        path: `${reservationPath(id)}/commit`,
        schema: reservationSchema,
        // The reservation id is the natural key: committing twice is a no-op.
        idempotent: true,
        operation: "commit a reservation",
      }),
    releaseReservation: (id) =>
      http.request({
        method: "POST",
        path: `${reservationPath(id)}/release`,
        schema: reservationSchema,
        idempotent: true,
        operation: "release a reservation",
      }),
    expireReservations: () =>
      http.request({
        method: "POST",
        path: "/v1/reservations/expire",
        schema: z.object({ expired: z.number().int().nonnegative() }),
        idempotent: true,
        operation: "expire stale reservations",
      }),
  };
}
