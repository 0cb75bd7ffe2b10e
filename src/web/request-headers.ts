import "server-only";
import { context, propagation } from "@opentelemetry/api";
import { REQUEST_ID_HEADER } from "~/lib/request-context";

/**
 * What the web passes on to the API about the request it is serving: the request id
 * (src/web/observability.ts put it into the request's headers) and, when tracing is on, the trace
 * context of the active span, so the API's spans join the same trace.
 */
export function forwardedRequestHeaders(incoming: { get(name: string): string | null }): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  const requestId = incoming.get(REQUEST_ID_HEADER);
  if (requestId) headers[REQUEST_ID_HEADER] = requestId;
  return headers;
}
