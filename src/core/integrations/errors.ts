import { DomainError, type DomainErrorKind } from "~/core/errors";

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

/** The call's result, or null when the service answered 404 (it does not know that id). */
export async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ExternalServiceError && err.kind === "rejected" && err.status === 404) return null;
    throw err;
  }
}

/** Service error codes that mean Lavka itself is misconfigured (wrong service token), not the user. */
const MISCONFIGURATION_CODES = new Set(["invalid_service_token", "missing_service_token"]);

const REJECTED_STATUS_TO_KIND: Record<number, DomainErrorKind> = {
  400: "invalid",
  401: "unauthenticated",
  402: "payment_required",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  412: "precondition_failed",
  422: "unprocessable",
  429: "rate_limited",
};

/**
 * What a failed call to an external service means to Lavka's caller. Outages become
 * unavailable/timeout (clients can retry), contract violations bad_gateway, service rejections
 * keep their meaning (409 stays a conflict). Domain errors pass through; anything else is
 * returned as it is, an unexpected error.
 */
export function toDomainError(err: unknown): unknown {
  if (!(err instanceof ExternalServiceError)) return err;
  const label = serviceLabel(err.service);
  switch (err.kind) {
    case "unavailable":
    case "circuit_open":
      return new DomainError("unavailable", `The ${label} is unavailable right now; please try again in a minute.`, { cause: err });
    case "timeout":
      return new DomainError("timeout", `The ${label} did not answer in time; please try again.`, { cause: err });
    case "invalid_response":
      return new DomainError("bad_gateway", `The ${label} sent a response Lavka could not understand; the team has been notified.`, { cause: err });
    case "rejected": {
      if (err.code !== undefined && MISCONFIGURATION_CODES.has(err.code)) {
        // Our own credentials were refused: a deployment bug, not something the user can fix.
        return new DomainError("internal", `Lavka is misconfigured for the ${label}; the team has been notified.`, { cause: err });
      }
      const kind = (err.status !== undefined ? REJECTED_STATUS_TO_KIND[err.status] : undefined) ?? "invalid";
      // Service messages are written for people (see docs/contracts), so they pass through.
      return new DomainError(kind, err.message, { cause: err });
    }
  }
}
