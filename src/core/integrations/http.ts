import { SpanKind } from "@opentelemetry/api";
import ky, { isHTTPError, isNetworkError, isTimeoutError, type KyInstance } from "ky";
import type { Logger } from "pino";
import { z } from "zod";
import { propagationHeaders } from "~/lib/request-context";
import { inSpan } from "~/lib/trace";
import { isStorableText } from "~/core/text";
import { CircuitBreaker, CircuitOpenError, type BreakerOptions, type ErrorVerdict } from "./breaker";
import { ExternalServiceError, serviceLabel, type ExternalServiceName } from "./errors";

/** The slice of a pino logger the clients use; any pino child logger fits. */
export type ClientLogger = Pick<Logger, "debug" | "info" | "warn" | "error">;

/** Options every client factory accepts (plus its own credentials). */
export interface ClientOptions {
  /** Base URL of the service, e.g. http://auth:8000 */
  baseUrl: string;
  logger: ClientLogger;
  /** Per-attempt timeout for ordinary calls, ms. Each client has its own default. */
  timeoutMs?: number;
  /** Retries for idempotent calls (never for the others). */
  retry?: RetryConfig;
  /** A breaker instance to share, or options for a new one. */
  breaker?: CircuitBreaker | BreakerOptions;
  /** Replaces global fetch (tests). */
  fetch?: typeof fetch;
}

export interface RetryConfig {
  /** Retries after the first attempt. Default 2. */
  limit?: number;
  /** Delay before the first retry, doubled each time. Default 200 ms. */
  baseDelayMs?: number;
  /** Cap for a single delay. Default 2 s. */
  maxDelayMs?: number;
}

/** The error body every Lavka external service uses (docs/contracts/README.md). */
export const serviceErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions<S extends z.ZodType | null> {
  method: Method;
  path: string;
  /** What the call does, in words, for logs and error messages ("reserve stock"). */
  operation: string;
  json?: unknown;
  searchParams?: Record<string, string | number | boolean | undefined>;
  /** Schema of a 2xx body; null when the service answers 204. */
  schema: S;
  /**
   * Safe to repeat: GET, an absolute PUT/DELETE, or any call that carries an
   * idempotency key. Only these are retried, because repeating anything else
   * could reserve, charge or ship twice.
   */
  idempotent?: boolean;
  /** Sent as `Idempotency-Key`; implies `idempotent`. */
  idempotencyKey?: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export type RequestResult<S extends z.ZodType | null> = S extends z.ZodType ? z.output<S> : undefined;

export interface HttpClient {
  readonly service: ExternalServiceName;
  readonly baseUrl: string;
  readonly breaker: CircuitBreaker;
  request<S extends z.ZodType | null>(options: RequestOptions<S>): Promise<RequestResult<S>>;
}

export interface HttpClientConfig extends ClientOptions {
  service: ExternalServiceName;
  /** Default per-attempt timeout when the caller did not set one. */
  defaultTimeoutMs: number;
  /** Headers on every request (service credentials). Never logged. */
  headers?: Record<string, string>;
}

/** Statuses worth retrying: the service or a proxy in front of it is briefly unwell. */
const RETRY_STATUS_CODES = [408, 429, 500, 502, 503, 504];

/**
 * What counts against the breaker: transport failures (refused, reset, timed out) and the
 * service's own faults (5xx). A 4xx is the service answering, caused by the request: it never
 * counts, whoever sent it. An error raised before anything was sent is Lavka's own and says
 * nothing about the service. A 5xx caused by garbage input would count, which is why garbage
 * never gets this far: every input is validated at the API boundary (src/core/text.ts), and
 * `refuseUnstorableText` below stops what slipped through before it is sent.
 */
function judge(err: unknown): ErrorVerdict {
  if (!(err instanceof ExternalServiceError)) return "not_reached";
  return err.kind === "unavailable" || err.kind === "timeout" ? "failure" : "healthy";
}

/** A request Lavka refused to send because it holds text no service can store (a bug: see below). */
export class UnsendableRequestError extends Error {
  override readonly name = "UnsendableRequestError";
}

/**
 * Last guard before the wire: NUL (PostgreSQL refuses it) or a lone surrogate (no UTF-8 exists)
 * anywhere in the body or query. The API's validation refuses both with a 400 naming the field;
 * reaching this means a field missed that validation, so it is an internal error, logged, and the
 * service's 500 for it never reaches the breaker.
 */
function refuseUnstorableText(service: ExternalServiceName, options: { operation: string; json?: unknown; searchParams?: Record<string, unknown> }): void {
  const stack: Array<{ value: unknown; path: string }> = [
    { value: options.json, path: "" },
    { value: options.searchParams, path: "" },
  ];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === "string" && !isStorableText(value)) {
      throw new UnsendableRequestError(
        `Refused to send "${options.operation}" to the ${serviceLabel(service)}: ${path || "the body"} holds NUL or half of a surrogate pair, which the API's input validation should have refused.`,
      );
    }
    if (typeof value === "object" && value !== null) {
      for (const [key, child] of Object.entries(value)) stack.push({ value: child, path: path ? `${path}.${key}` : key });
    }
  }
}

export function createHttpClient(config: HttpClientConfig): HttpClient {
  const { service, logger } = config;
  const label = serviceLabel(service);
  const breakerOptions = config.breaker instanceof CircuitBreaker ? undefined : config.breaker;
  const breaker =
    config.breaker instanceof CircuitBreaker
      ? config.breaker
      : new CircuitBreaker({
          ...breakerOptions,
          onStateChange: (from, to) => {
            breakerOptions?.onStateChange?.(from, to);
            if (to === "open") logger.warn({ service, from, to }, `${label} circuit open`);
            else logger.info({ service, from, to }, `${label} circuit ${to}`);
          },
        });
  const retryLimit = config.retry?.limit ?? 2;
  const baseDelayMs = config.retry?.baseDelayMs ?? 200;
  const maxDelayMs = config.retry?.maxDelayMs ?? 2_000;
  const baseUrl = config.baseUrl.endsWith("/") ? config.baseUrl : `${config.baseUrl}/`;

  const api: KyInstance = ky.create({
    baseUrl,
    headers: { accept: "application/json", ...config.headers },
    throwHttpErrors: true,
    ...(config.fetch ? { fetch: config.fetch } : {}),
    hooks: {
      beforeRetry: [
        ({ request, retryCount, error }) => {
          logger.warn(
            { service, method: request.method, url: stripQuery(request.url), retryCount, reason: describeKyError(error) },
            `retrying ${label} call`,
          );
        },
      ],
    },
  });

  async function attempt<S extends z.ZodType | null>(options: RequestOptions<S>): Promise<RequestResult<S>> {
    const idempotent = options.idempotent === true || options.idempotencyKey !== undefined;
    // The request this call is part of (x-request-id, and the trace context when tracing is on).
    const headers: Record<string, string> = { ...propagationHeaders(), ...options.headers };
    if (options.idempotencyKey !== undefined) headers["idempotency-key"] = options.idempotencyKey;
    const started = Date.now();
    let response: Response;
    try {
      response = await api(options.path.replace(/^\//, ""), {
        method: options.method,
        headers,
        timeout: options.timeoutMs ?? config.timeoutMs ?? config.defaultTimeoutMs,
        ...(options.json !== undefined ? { json: options.json } : {}),
        ...(options.searchParams ? { searchParams: options.searchParams } : {}),
        retry: idempotent
          ? {
              limit: retryLimit,
              methods: [options.method.toLowerCase() as Lowercase<Method>],
              statusCodes: RETRY_STATUS_CODES,
              retryOnTimeout: true,
              delay: (attemptCount) => baseDelayMs * 2 ** (attemptCount - 1),
              backoffLimit: maxDelayMs,
              // A Retry-After of an hour must not park a request for an hour.
              maxRetryAfter: maxDelayMs,
              jitter: true,
            }
          : { limit: 0 },
      });
    } catch (err) {
      throw await toExternalError(service, options, err);
    }
    logger.debug(
      { service, method: options.method, path: options.path, status: response.status, ms: Date.now() - started },
      `${label} call done`,
    );
    if (options.schema === null) {
      // Drain so the connection can be reused.
      await response.body?.cancel().catch(() => undefined);
      return undefined as RequestResult<S>;
    }
    const text = await response.text().catch((err: unknown) => {
      throw new ExternalServiceError({
        service,
        kind: "unavailable",
        status: response.status,
        message: `The ${label} connection broke while reading the response to "${options.operation}".`,
        cause: err,
      });
    });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw invalidResponse(service, options, response.status, "body is not JSON", err);
    }
    const parsed = (options.schema as z.ZodType).safeParse(body);
    if (!parsed.success) {
      // Log where the contract broke, never the body itself (it may hold tokens).
      logger.error(
        { service, path: options.path, status: response.status, issues: parsed.error.issues.map(issueSummary) },
        `${label} response does not match the contract`,
      );
      throw invalidResponse(service, options, response.status, z.prettifyError(parsed.error), parsed.error);
    }
    return parsed.data as RequestResult<S>;
  }

  return {
    service,
    baseUrl: config.baseUrl,
    breaker,
    request(options) {
      return inSpan(
        `${service} ${options.operation}`,
        { kind: SpanKind.CLIENT, attributes: { "http.request.method": options.method, "url.full": `${baseUrl}${options.path.replace(/^\//, "")}`, "lavka.service": service, "lavka.operation": options.operation } },
        () => send(options),
      );
    },
  };

  async function send<S extends z.ZodType | null>(options: RequestOptions<S>): Promise<RequestResult<S>> {
    refuseUnstorableText(service, options);
    try {
      return await breaker.run(() => attempt(options), judge);
    } catch (err) {
      if (err instanceof CircuitOpenError) {
        throw new ExternalServiceError({
          service,
          kind: "circuit_open",
          message: `The ${label} failed repeatedly, so "${options.operation}" was not attempted; Lavka will retry it in ${Math.ceil(err.retryAfterMs / 1000)} s.`,
          cause: err,
        });
      }
      if (err instanceof ExternalServiceError && err.kind !== "rejected") {
        logger.warn({ service, kind: err.kind, status: err.status, path: options.path }, err.message);
      }
      throw err;
    }
  }
}

function invalidResponse(
  service: ExternalServiceName,
  options: { operation: string },
  status: number,
  why: string,
  cause: unknown,
): ExternalServiceError {
  return new ExternalServiceError({
    service,
    kind: "invalid_response",
    status,
    message: `The ${serviceLabel(service)} answered "${options.operation}" with a response that breaks its contract: ${why}`,
    cause,
  });
}

/**
 * Maps what ky threw to an ExternalServiceError. Anything that is not a timeout, an HTTP answer or
 * a network failure was raised while building the request (a header with a line break, a body
 * JSON cannot hold): Lavka's own error, passed on unchanged (and not counted by the breaker).
 */
async function toExternalError(
  service: ExternalServiceName,
  options: { operation: string; method: string; path: string },
  err: unknown,
): Promise<unknown> {
  if (err instanceof ExternalServiceError) return err;
  const label = serviceLabel(service);
  if (isTimeoutError(err)) {
    return new ExternalServiceError({
      service,
      kind: "timeout",
      message: `The ${label} did not answer "${options.operation}" in time.`,
      cause: err,
    });
  }
  if (isHTTPError(err)) {
    const status = err.response.status;
    const body = serviceErrorBodySchema.safeParse(err.data);
    const remote = body.success ? body.data.error : undefined;
    if (status >= 500 || status === 408) {
      return new ExternalServiceError({
        service,
        kind: "unavailable",
        status,
        ...(remote ? { code: remote.code, details: remote.details } : {}),
        message: `The ${label} failed "${options.operation}" with HTTP ${status}${remote ? `: ${remote.message}` : ""}.`,
        cause: err,
      });
    }
    return new ExternalServiceError({
      service,
      kind: "rejected",
      status,
      ...(remote ? { code: remote.code, details: remote.details } : {}),
      message: remote?.message ?? `The ${label} refused "${options.operation}" (HTTP ${status}).`,
      cause: err,
    });
  }
  if (isNetworkError(err)) {
    const code = networkCode(err);
    return new ExternalServiceError({
      service,
      kind: "unavailable",
      message: `Cannot reach the ${label} for "${options.operation}"${code ? ` (${code})` : ""}; is it running at the configured URL?`,
      cause: err,
    });
  }
  return err;
}

/** Digs the errno code (ECONNREFUSED, ...) out of undici's nested causes. */
function networkCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    if (typeof current === "object" && current !== null && "code" in current && typeof current.code === "string") {
      return current.code;
    }
    current = typeof current === "object" && current !== null && "cause" in current ? current.cause : undefined;
  }
  return undefined;
}

function describeKyError(err: unknown): string {
  if (isHTTPError(err)) return `HTTP ${err.response.status}`;
  if (isTimeoutError(err)) return "timeout";
  return networkCode(err) ?? (err instanceof Error ? err.message : "error");
}

function stripQuery(url: string): string {
  const i = url.indexOf("?");
  return i === -1 ? url : url.slice(0, i);
}

function issueSummary(issue: z.core.$ZodIssue): string {
  return `${issue.path.join(".") || "(root)"}: ${issue.message}`;
}
