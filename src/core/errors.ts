/**
 * What the core throws when a request cannot be done. Transport-neutral: the API maps each kind to
 * a tRPC code in one place (src/server/trpc/middleware/errors.ts), the processor decides on retries
 * from it, and nothing in the core knows about HTTP.
 *
 * `field` names the input a person has to change (the web shows the message at that field);
 * `reason` is a stable machine-readable word for callers that branch on it (e.g. "no_shop").
 * Both reach the client as data, never inside the message text.
 */
export type DomainErrorKind =
  | "invalid" // the input is wrong: 400
  | "unauthenticated" // no or expired session: 401
  | "payment_required" // the payment method was refused: 402
  | "forbidden" // signed in, but not allowed: 403
  | "not_found" // nothing there, or not yours: 404
  | "conflict" // the current state does not allow it: 409
  | "precondition_failed" // a precondition the caller sent no longer holds: 412
  | "unprocessable" // well-formed but cannot be done as asked (reused idempotency key): 422
  | "rate_limited" // too many requests: 429
  | "internal" // our own fault (misconfiguration): 500
  | "bad_gateway" // an external system answered something it should not: 502
  | "unavailable" // a dependency is down; try again: 503
  | "timeout"; // a dependency did not answer in time: 504

export interface DomainErrorOptions {
  field?: string;
  reason?: string;
  cause?: unknown;
}

export class DomainError extends Error {
  override readonly name = "DomainError";
  readonly kind: DomainErrorKind;
  readonly field: string | undefined;
  readonly reason: string | undefined;
  /** The message without the field's name: what a form shows next to that field. */
  readonly problem: string;

  /** With a `field`, the message reads "field: problem", as input validation's messages do. */
  constructor(kind: DomainErrorKind, problem: string, options: DomainErrorOptions = {}) {
    super(options.field === undefined ? problem : `${options.field}: ${problem}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.problem = problem;
    this.field = options.field;
    this.reason = options.reason;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
