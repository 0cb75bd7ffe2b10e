import { z } from "zod";

/**
 * Every domain event Lavka emits. The type names the fact, the version the payload shape:
 * a breaking payload change adds a new version rather than altering an old one.
 */
// Amounts are BIGINT in the database and JSON numbers here: exact, as MONEY_LIMITS (src/core/money.ts)
// keep every order below 2^53 (zod's int() accepts safe integers only).
const money = z.object({ amountMinor: z.number().int(), currency: z.string().length(3) });
const orderRef = { orderId: z.string().uuid(), orderNumber: z.number().int().positive() };

export const eventPayloads = {
  "order.placed": z.object({
    ...orderRef,
    buyerId: z.string().min(1),
    total: money,
    reservationId: z.string().min(1).nullable(),
    /** Gateway card token from the payment form; absent for demo checkouts (the worker's default applies). */
    paymentMethodToken: z.string().min(1).max(200).optional(),
    lines: z
      .array(
        z.object({
          productId: z.string().uuid(),
          sellerId: z.string().uuid(),
          sku: z.string().min(1),
          quantity: z.number().int().positive(),
          unitPriceMinor: z.number().int().nonnegative(),
        }),
      )
      .min(1),
  }),
  "order.paid": z.object({ ...orderRef, buyerId: z.string().min(1), total: money, paidAt: z.string().datetime() }),
  "order.cancelled": z.object({ ...orderRef, reason: z.string().min(1) }),
  "payment.authorized": z.object({ ...orderRef, paymentId: z.string().uuid(), gatewayRef: z.string().min(1), amount: money }),
  "payment.failed": z.object({ ...orderRef, paymentId: z.string().uuid(), reason: z.string().min(1) }),
  "shipment.created": z.object({
    ...orderRef,
    shipmentId: z.string().uuid(),
    sellerId: z.string().uuid(),
    carrier: z.string().min(1),
    trackingNumber: z.string().nullable(),
  }),
  "shipment.status_changed": z.object({
    ...orderRef,
    shipmentId: z.string().uuid(),
    status: z.enum(["pending", "created", "in_transit", "out_for_delivery", "delivered", "failed", "returned"]),
    occurredAt: z.string().datetime(),
  }),
} as const;

export type EventType = keyof typeof eventPayloads;
export type EventPayload<T extends EventType> = z.infer<(typeof eventPayloads)[T]>;
export const EVENT_VERSION = 1;

export const eventTypes = Object.keys(eventPayloads) as EventType[];

/**
 * What the request that caused an event passes on (request id, W3C trace context). Tracing is
 * never a reason to refuse a message: anything unexpected here reads as no headers.
 */
export const eventHeaders = z
  .object({ "x-request-id": z.string().max(128).optional(), traceparent: z.string().max(128).optional(), tracestate: z.string().max(512).optional() })
  .optional()
  .catch(undefined);

/** The envelope carried on the wire and stored in the outbox. */
export const eventEnvelope = z.object({
  id: z.string().uuid(),
  type: z.enum(eventTypes as [EventType, ...EventType[]]),
  version: z.number().int().positive(),
  occurredAt: z.string().datetime(),
  aggregateType: z.string().min(1),
  aggregateId: z.string().min(1),
  payload: z.unknown(),
  headers: eventHeaders,
});
export type EventEnvelope = z.infer<typeof eventEnvelope>;

export type DomainEvent<T extends EventType = EventType> = {
  [K in T]: Omit<EventEnvelope, "type" | "payload"> & { type: K; payload: EventPayload<K> };
}[T];

/** Validates an envelope and its payload; throws a ZodError describing the first problem found. */
export function parseEvent(raw: unknown): DomainEvent {
  const envelope = eventEnvelope.parse(raw);
  const payload = eventPayloads[envelope.type].parse(envelope.payload);
  return { ...envelope, payload } as DomainEvent;
}
