import { z } from "zod";
import { orNull } from "./errors";
import { createHttpClient, type ClientOptions, type HttpClient } from "./http";

/**
 * Client for the payment gateway (contract: docs/contracts/payment.md).
 * Every mutating call carries an idempotency key, so every call may be retried.
 * A decline is a normal outcome (status "declined"), not an error.
 */

/** ISO 4217 code, upper case. */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/);

export const paymentStatusSchema = z.enum([
  "authorized",
  "declined",
  "captured",
  "partially_refunded",
  "refunded",
  "voided",
]);
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

export const paymentSchema = z.object({
  id: z.string().min(1),
  status: paymentStatusSchema,
  /** Integer minor units (cents). */
  amount: z.number().int().positive(),
  currency: currencySchema,
  capturedAmount: z.number().int().nonnegative(),
  refundedAmount: z.number().int().nonnegative(),
  reference: z.string(),
  declineReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Payment = z.infer<typeof paymentSchema>;

export const refundSchema = z.object({
  id: z.string().min(1),
  paymentId: z.string(),
  amount: z.number().int().positive(),
  currency: currencySchema,
  reason: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type Refund = z.infer<typeof refundSchema>;

export const refundResultSchema = z.object({ refund: refundSchema, payment: paymentSchema });
export type RefundResult = z.infer<typeof refundResultSchema>;

export interface AuthorizeInput {
  amount: number;
  currency: string;
  /** Lavka's own reference (order id); searchable with findByReference. */
  reference: string;
  /** Card token from the payment form; the gateway never sees card numbers from Lavka. */
  paymentMethod: { type: "card"; token: string };
  idempotencyKey: string;
}

export interface PaymentClient {
  /** Holds the amount on the card. Resolves with status "authorized" or "declined". */
  authorize(input: AuthorizeInput): Promise<Payment>;
  /** Captures all (default) or part of an authorization. Rejects 409 `invalid_state`. */
  capture(paymentId: string, input: { idempotencyKey: string; amount?: number }): Promise<Payment>;
  /** Refunds part or all of the captured amount. Rejects 409 `refund_exceeds_captured`. */
  refund(paymentId: string, input: { idempotencyKey: string; amount: number; reason?: string }): Promise<RefundResult>;
  /** Drops an authorization that will not be captured. Rejects 409 `invalid_state`. */
  voidPayment(paymentId: string, input: { idempotencyKey: string }): Promise<Payment>;
  getPayment(paymentId: string): Promise<Payment | null>;
  /** Payments created with this reference, oldest first (recovering after a lost response). */
  findByReference(reference: string): Promise<Payment[]>;
  readonly http: HttpClient;
}

export interface PaymentClientOptions extends ClientOptions {
  /** Gateway API key, sent as `X-Service-Token`. */
  serviceToken: string;
}

export function createPaymentClient(options: PaymentClientOptions): PaymentClient {
  const http = createHttpClient({
    ...options,
    service: "payment",
    defaultTimeoutMs: 10_000,
    headers: { "x-service-token": options.serviceToken },
  });
  const paymentPath = (id: string) => `/v1/payments/${encodeURIComponent(id)}`;

  return {
    http,
    authorize: ({ idempotencyKey, ...body }) =>
      http.request({
        method: "POST",
        path: "/v1/payments",
        json: body,
        idempotencyKey,
        schema: paymentSchema,
        operation: "authorize a payment",
      }),
    capture: (paymentId, { idempotencyKey, amount }) =>
      http.request({
        method: "POST",
        path: `${paymentPath(paymentId)}/capture`,
        json: amount === undefined ? {} : { amount },
        idempotencyKey,
        schema: paymentSchema,
        operation: "capture a payment",
      }),
    refund: (paymentId, { idempotencyKey, ...body }) =>
      http.request({
        method: "POST",
        path: `${paymentPath(paymentId)}/refunds`,
        json: body,
        idempotencyKey,
        schema: refundResultSchema,
        operation: "refund a payment",
      }),
    voidPayment: (paymentId, { idempotencyKey }) =>
      http.request({
        method: "POST",
        path: `${paymentPath(paymentId)}/void`,
        json: {},
        idempotencyKey,
        schema: paymentSchema,
        operation: "void a payment",
      }),
    getPayment: (paymentId) =>
      orNull(http.request({ method: "GET", path: paymentPath(paymentId), schema: paymentSchema, idempotent: true, operation: "read a payment" })),
    async findByReference(reference) {
      const page = await http.request({
        method: "GET",
        path: "/v1/payments",
        searchParams: { reference },
        schema: z.object({ items: z.array(paymentSchema) }),
        idempotent: true,
        operation: "find payments",
      });
      return page.items;
    },
  };
}
