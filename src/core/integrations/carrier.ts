import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { shippingAddressSchema } from "~/core/address";
import { multiLineText, singleLineText } from "~/core/text";
import { orNull } from "./errors";
import { createHttpClient, type ClientOptions, type HttpClient } from "./http";

/**
 * Client for the delivery carrier (contract: docs/contracts/carrier.md), plus the
 * signature check and payload schema for the carrier's status callbacks.
 */

export const shipmentStatusSchema = z.enum(["created", "in_transit", "out_for_delivery", "delivered"]);
export type ShipmentStatus = z.infer<typeof shipmentStatusSchema>;

/**
 * The carrier's Address: Lavka's shipping address without the region (the contract has no such
 * field). Other keys are dropped, so a stored address parses into exactly what the carrier takes.
 */
export const addressSchema = z.object(shippingAddressSchema.shape).omit({ region: true });
export type Address = z.infer<typeof addressSchema>;

export const parcelSchema = z.object({ weightGrams: z.number().int().positive() });
export type Parcel = z.infer<typeof parcelSchema>;

export const shipmentSchema = z.object({
  carrierRef: z.string().min(1),
  trackingNumber: z.string().min(1),
  orderRef: z.string(),
  status: shipmentStatusSchema,
  recipient: addressSchema,
  parcels: z.array(parcelSchema),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Shipment = z.infer<typeof shipmentSchema>;

// What the carrier says is stored (tracking events): the same text rules as Lavka's own input.
const carrierId = singleLineText({ min: 1, max: 200 });
const carrierDescription = multiLineText({ max: 2_000 });

export const trackingEventSchema = z.object({
  id: carrierId,
  status: shipmentStatusSchema,
  occurredAt: z.iso.datetime(),
  description: carrierDescription,
});
export type TrackingEvent = z.infer<typeof trackingEventSchema>;

export const trackingSchema = z.object({
  trackingNumber: z.string(),
  carrierRef: z.string(),
  status: shipmentStatusSchema,
  events: z.array(trackingEventSchema),
});
export type Tracking = z.infer<typeof trackingSchema>;

/** Body the carrier POSTs to Lavka's callback URL on every status change. */
export const carrierCallbackSchema = z.object({
  eventId: carrierId,
  carrierRef: carrierId,
  trackingNumber: carrierId,
  orderRef: singleLineText({ max: 200 }),
  status: shipmentStatusSchema,
  occurredAt: z.iso.datetime(),
  description: carrierDescription,
});
export type CarrierCallback = z.infer<typeof carrierCallbackSchema>;

export const CARRIER_SIGNATURE_HEADER = "x-lavka-signature";
export const CARRIER_EVENT_ID_HEADER = "x-lavka-event-id";

export interface CreateShipmentInput {
  orderRef: string;
  recipient: Address;
  parcels: Parcel[];
  /** One key per shipment request: the same key returns the same shipment. */
  idempotencyKey: string;
}

export interface CarrierClient {
  createShipment(input: CreateShipmentInput): Promise<Shipment>;
  /** Null when the carrier does not know the reference. */
  getShipment(carrierRef: string): Promise<Shipment | null>;
  /** Null when the carrier does not know the tracking number. */
  getTracking(trackingNumber: string): Promise<Tracking | null>;
  readonly http: HttpClient;
}

export interface CarrierClientOptions extends ClientOptions {
  serviceToken: string;
}

export function createCarrierClient(options: CarrierClientOptions): CarrierClient {
  const http = createHttpClient({
    ...options,
    service: "carrier",
    defaultTimeoutMs: 5_000,
    headers: { "x-service-token": options.serviceToken },
  });
  return {
    http,
    createShipment: ({ idempotencyKey, ...body }) =>
      http.request({
        method: "POST",
        path: "/v1/shipments",
        json: body,
        idempotencyKey,
        schema: shipmentSchema,
        operation: "create a shipment",
      }),
    getShipment: (carrierRef) =>
      orNull(
        http.request({
          method: "GET",
          path: `/v1/shipments/${encodeURIComponent(carrierRef)}`,
          schema: shipmentSchema,
          idempotent: true,
          operation: "read a shipment",
        }),
      ),
    getTracking: (trackingNumber) =>
      orNull(
        http.request({
          method: "GET",
          path: `/v1/tracking/${encodeURIComponent(trackingNumber)}`,
          schema: trackingSchema,
          idempotent: true,
          operation: "read tracking",
        }),
      ),
  };
}

/** `sha256=<hex>` over the exact bytes of the body. Used by the reference carrier too. */
export function signCarrierPayload(rawBody: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

/**
 * Checks `X-Lavka-Signature` against the raw request body (before any JSON parsing:
 * re-serialised JSON would not match). Constant-time, so the comparison leaks nothing.
 */
export function verifyCarrierSignature(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secret: string,
): boolean {
  if (!header || secret.length === 0) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match?.[1]) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  const given = Buffer.from(match[1], "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
