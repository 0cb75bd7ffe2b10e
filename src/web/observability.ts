import "server-only";
import { subscribe } from "node:diagnostics_channel";
import type http from "node:http";
import { Histogram } from "prom-client";
import { createLogger } from "~/lib/logger";
import { createMetricsRegistry } from "~/lib/metrics";
import { startProbeServer } from "~/lib/probes";
import { REQUEST_ID_HEADER, requestIdFrom } from "~/lib/request-context";
import { startTracing } from "~/lib/tracing";
import { webConfig } from "./config";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path as a metrics label: ids folded to `:id`, Next's static files in one bucket. */
export function routeLabel(path: string): string {
  if (path.startsWith("/_next/static/")) return "/_next/static";
  const label = path
    .split("/")
    .map((segment) => (UUID.test(segment) || /^\d+$/.test(segment) ? ":id" : segment))
    .join("/");
  return label.length > 120 ? label.slice(0, 120) : label;
}

/** Requests whose lines are debug only: probes, metrics scrapes, static files (one page load fetches dozens). */
function isRoutine(path: string): boolean {
  return path === "/healthz" || path === "/readyz" || path === "/metrics" || path.startsWith("/_next/static/") || /\.[a-z0-9]{2,5}$/i.test(path);
}

/**
 * The web server's request plumbing, started once from src/instrumentation.ts. Next's standalone
 * server owns the HTTP server, so requests are observed through Node's `http.server.request.start`
 * diagnostics channel, which fires before Next sees each one: every request gets its request id
 * (a valid incoming `x-request-id` is kept; the id is written into the request's headers, where
 * the pages and the /api/trpc proxy read it and pass it to the API, and into the response's), one
 * access line when it ends, and a duration in `/metrics`. That endpoint listens on its own port
 * (WEB_METRICS_PORT), which the Service and Ingress do not route to.
 */
export function startWebObservability(): void {
  const config = webConfig();
  const logger = createLogger("web", config.LOG_LEVEL);
  startTracing({ service: "web", endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const registry = createMetricsRegistry("web");
  const duration = new Histogram({
    name: "lavka_http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["route", "method", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  subscribe("http.server.request.start", (message) => {
    const { request, response } = message as { request: http.IncomingMessage; response: http.ServerResponse };
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    request.headers[REQUEST_ID_HEADER] = requestId;
    response.setHeader(REQUEST_ID_HEADER, requestId);
    const method = request.method ?? "GET";
    const path = (request.url ?? "/").split("?")[0]!;
    response.once("close", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      duration.observe({ route: routeLabel(path), method, status: String(response.statusCode) }, seconds);
      const line = { requestId, method, route: path.length > 200 ? path.slice(0, 200) : path, status: response.statusCode, durationMs: Math.round(seconds * 10_000) / 10, ...(response.writableFinished ? {} : { aborted: true }) };
      if (isRoutine(path)) logger.debug(line, "request");
      else logger.info(line, "request");
    });
  });

  startProbeServer(config.WEB_METRICS_PORT, { registry, ready: async () => undefined }).then(
    (server) => logger.info({ port: (server.address() as { port: number }).port }, "metrics listening"),
    (error: unknown) => logger.error({ err: error, port: config.WEB_METRICS_PORT }, "metrics listener failed to start"),
  );
}
