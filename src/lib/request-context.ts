import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { context, propagation, ROOT_CONTEXT, type Context } from "@opentelemetry/api";

/**
 * One request id follows a piece of work across processes: the web assigns it (or keeps the one
 * its caller sent), the API reads it from this header, the outbox stores it with the events the
 * request caused, consumers log it and send it on to the external services they call.
 */
export const REQUEST_ID_HEADER = "x-request-id";

/** What an incoming id may look like: short and printable, so it is safe in logs and headers. */
const VALID_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The incoming id when it is a valid one, else a new one. */
export function requestIdFrom(header: string | readonly string[] | null | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === "string" && VALID_REQUEST_ID.test(value) ? value : randomUUID();
}

const current = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` with `requestId` as the current request's id (for logs, outbox events and outgoing calls). */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return current.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return current.getStore()?.requestId;
}

/**
 * Headers that carry the current request on: its id and, when tracing is on, the W3C trace
 * context (`traceparent`, `tracestate`) of the active span. Empty outside any request.
 */
export function propagationHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  const requestId = currentRequestId();
  if (requestId) headers[REQUEST_ID_HEADER] = requestId;
  return headers;
}

/** The trace context carried by headers like the ones above (the root context when there is none). */
export function traceContextFrom(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}
