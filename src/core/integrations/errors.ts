import { TRPCError } from "@trpc/server";

/** The four systems Lavka's API talks to over HTTP. */
export type ExternalServiceName = "auth" | "inventory" | "payment" | "carrier";

/**
 * Why a call to an external service failed.
 * - unavailable: connection refused/reset, DNS, or a 5xx after retries.
 * - timeout: no response within the per-call timeout.
 * - circuit_open: we did not even try, the breaker is open after repeated failures.
 * - rejected: the service answered 4xx; the request itself is wrong or not allowed.
 * - invalid_response: the service answered something that does not match its contract.
 */
export type ExternalErrorKind = "unavailable" | "timeout" | "circuit_open" | "rejected" | "invalid_response";

const SERVICE_LABEL: Record<ExternalServiceName, string> = {
  auth: "auth service",
  inventory: "inventory service",
  payment: "payment gateway",
  carrier: "delivery carrier",
};

export function serviceLabel(service: ExternalServiceName): string {
  return SERVICE_LABEL[service];
}

export interface ExternalServiceErrorInit {
  service: ExternalServiceName;
  kind: ExternalErrorKind;
  message: string;
  /** HTTP status the service answered with, when it answered. */
  status?: number;
  /** The service's machine-readable error code (`error.code` in its error body), e.g. `insufficient_stock`. */
  code?: string;
  /** Structured details from the service's error body (e.g. which SKUs are short). */
  details?: unknown;
  cause?: unknown;
}

export class ExternalServiceError extends Error {
  override readonly name = "ExternalServiceError";
  readonly service: ExternalServiceName;
  readonly kind: ExternalErrorKind;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly details: unknown;

  constructor(init: ExternalServiceErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.service = init.service;
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
  }

  /** True when retrying later may succeed (outage, timeout, open circuit). */
  get transient(): boolean {
    return this.kind === "unavailable" || this.kind === "timeout" || this.kind === "circuit_open";
  }
}

export function isExternalServiceError(err: unknown): err is ExternalServiceError {
  return err instanceof ExternalServiceError;
}

/** Service error codes that mean Lavka itself is misconfigured (wrong service token), not the user. */
const MISCONFIGURATION_CODES = new Set(["invalid_service_token", "missing_service_token"]);

type TRPCCode = ConstructorParameters<typeof TRPCError>[0]["code"];

const REJECTED_STATUS_TO_CODE: Record<number, TRPCCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  402: "PAYMENT_REQUIRED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  412: "PRECONDITION_FAILED",
  422: "UNPROCESSABLE_CONTENT",
  429: "TOO_MANY_REQUESTS",
};

/**
 * Maps any error thrown by a client to a TRPCError the API can return as is.
 * Outages become 503/504 (clients can retry), contract violations 502, service
 * rejections keep their meaning (409 stays CONFLICT), and only unknown errors
 * become INTERNAL_SERVER_ERROR.
 */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  if (!(err instanceof ExternalServiceError)) {
    return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Unexpected error", cause: err });
  }
  const label = serviceLabel(err.service);
  switch (err.kind) {
    case "unavailable":
    case "circuit_open":
      return new TRPCError({
        code: "SERVICE_UNAVAILABLE",
        message: `The ${label} is unavailable right now; please try again in a minute.`,
        cause: err,
      });
    case "timeout":
      return new TRPCError({
        code: "GATEWAY_TIMEOUT",
        message: `The ${label} did not answer in time; please try again.`,
        cause: err,
      });
    case "invalid_response":
      return new TRPCError({
        code: "BAD_GATEWAY",
        message: `The ${label} sent a response Lavka could not understand; the team has been notified.`,
        cause: err,
      });
    case "rejected": {
      if (err.code !== undefined && MISCONFIGURATION_CODES.has(err.code)) {
        // Our own credentials were refused: a deployment bug, not something the user can fix.
        return new TRPCError({
          code: "INTERNAL_SERVER_ERROR",
          message: `Lavka is misconfigured for the ${label}; the team has been notified.`,
          cause: err,
        });
      }
      const code = (err.status !== undefined ? REJECTED_STATUS_TO_CODE[err.status] : undefined) ?? "BAD_REQUEST";
      // Service messages are written for people (see docs/contracts), so they pass through.
      return new TRPCError({ code, message: err.message, cause: err });
    }
  }
}
