import http from "node:http";
import net from "node:net";
import { SpanKind } from "@opentelemetry/api";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { Histogram, type Registry } from "prom-client";
import { handleProbe, sendJson } from "~/lib/probes";
import { REQUEST_ID_HEADER, requestIdFrom, traceContextFrom, withRequestId } from "~/lib/request-context";
import { inSpan } from "~/lib/trace";
import { bearerToken } from "../../core/domain/auth/sessions";
import { applyCarrierUpdate } from "../../core/domain/delivery/tracking";
import { BodyIncompleteError, BodyTooLargeError, readBody, refuseTooLarge } from "./body";
import { CARRIER_WEBHOOK_PATH, handleCarrierWebhook, type CarrierWebhookOptions } from "./carrier-webhook";
import { handlePhotos } from "./photos";
import { createAuthRateLimiter, DEFAULT_AUTH_RATE_LIMITS, type AuthRateLimitOptions } from "./rate-limit";
import { createContextInner, type ApiDeps, type AuthUser } from "../trpc/context";
import { toTRPCError } from "../trpc/middleware/errors";
import { appRouter } from "../trpc/root";

const PROBE_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

export interface ApiServerOptions {
  deps: ApiDeps;
  registry: Registry;
  maxBodyBytes: number;
  /** HMAC key of the carrier's status callbacks (POST /webhooks/carrier); unset answers 503 there. */
  carrierWebhookSecret?: string;
  /**
   * Resolves the caller; null for anonymous. Default: the bearer token in the Authorization
   * header, verified by deps.sessions (a bad token is a 401, never a fallback to anonymous).
   */
  authenticate?: (req: http.IncomingMessage) => Promise<AuthUser | null>;
  /** Limits on auth.login and auth.register (per client address and per account); see rate-limit.ts. */
  authRateLimits?: Partial<AuthRateLimitOptions>;
}

export interface ApiServer {
  server: http.Server;
  /**
   * Marks the server not-ready, keeps serving for drainMs (with Connection: close), then stops
   * accepting and waits for in-flight requests (up to graceMs).
   */
  shutdown(graceMs: number, drainMs?: number): Promise<void>;
}

export function createApiServer(options: ApiServerOptions): ApiServer {
  const { deps, registry } = options;
  const authenticate = options.authenticate ?? ((req: http.IncomingMessage) => authenticateRequest(deps, req));
  const carrierWebhook: CarrierWebhookOptions = {
    secret: options.carrierWebhookSecret ?? "",
    logger: deps.logger,
    apply: async (update) => (await applyCarrierUpdate(deps.db, update, deps.now())).outcome,
  };
  const rateLimiter = createAuthRateLimiter(deps.db, { ...DEFAULT_AUTH_RATE_LIMITS, ...options.authRateLimits });
  let shuttingDown = false;

  const duration = new Histogram({
    name: "lavka_http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["route", "method", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    createContext: async ({ req, res, info }) => {
      try {
        await rateLimiter.check(req, res, info.calls);
        return { ...createContextInner(deps, await authenticate(req)), afterFailure: rateLimiter.recordFailure };
      } catch (err) {
        // An expired token is a 401; signing in a user writes their row, and the limits are counted
        // in the database: an outage there is a 503 too, as in procedures.
        throw toTRPCError(err);
      }
    },
    onError: ({ error, path }) => {
      // Client mistakes are expected traffic; only server faults deserve an error log.
      if (error.code === "INTERNAL_SERVER_ERROR") deps.logger.error({ err: error.cause ?? error, path }, "procedure failed");
      // A dependency down (database, inventory): the client got a plain 503; the cause stays here.
      if (error.code === "SERVICE_UNAVAILABLE") deps.logger.warn({ err: error.cause ?? error, path }, "procedure unavailable");
    },
  });

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const url = req.url ?? "/";
    const path = url.split("?")[0]!;
    const route = path.length > 120 ? path.slice(0, 120) : path;
    // One metrics label (and span name) per route, not per photo: served photos' paths are all different.
    const label = path.startsWith("/photos/") ? "/photos/:file" : route;
    const method = req.method ?? "GET";
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    if (shuttingDown) res.setHeader("connection", "close");
    res.on("finish", () => {
      duration.observe({ route: label, method, status: String(res.statusCode) }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    // One access line per request; the kubelet's and Prometheus' probes only at debug level.
    res.once("close", () => {
      const line = { requestId, method, route, status: res.statusCode, durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10, ...(res.writableFinished ? {} : { aborted: true }) };
      if (PROBE_PATHS.has(path)) deps.logger.debug(line, "request");
      else deps.logger.info(line, "request");
    });
    void withRequestId(requestId, () =>
      inSpan(`${method} ${label}`, { kind: SpanKind.SERVER, parent: traceContextFrom(req.headers), attributes: { "http.request.method": method, "url.path": route, "lavka.request_id": requestId } }, async (span) => {
        await handle(req, res, url);
        span.setAttribute("http.response.status_code", res.statusCode);
      }),
    ).catch(() => undefined);
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, url: string): Promise<void> {
    return handleProbe(req, res, {
      registry,
      ready: async () => {
        if (shuttingDown) throw new Error("shutting down");
        await deps.db.$queryRaw`SELECT 1`;
      },
    })
      .then(async (handled) => {
        if (handled) return;
        if (url === "/trpc" || url.startsWith("/trpc/") || url.startsWith("/trpc?")) {
          // The whole body is read before tRPC sees the request, whether or not the procedure takes
          // input: no answer (a 401 from authentication included) leaves a body half-read.
          let body: Buffer;
          try {
            body = await readBody(req, options.maxBodyBytes);
          } catch (error) {
            if (error instanceof BodyTooLargeError) return refuseTooLarge(req, res, error);
            if (error instanceof BodyIncompleteError) return;
            throw error;
          }
          // tRPC's node adapter takes a string `body` as the request's body.
          return trpc(Object.assign(req, { body: body.toString("utf8") }), res);
        }
        if (url.split("?")[0] === CARRIER_WEBHOOK_PATH) return handleCarrierWebhook(req, res, carrierWebhook);
        if (await handlePhotos(req, res, { deps, authenticate, logger: deps.logger })) return;
        sendJson(res, 404, { error: "not found", hint: "tRPC procedures are served under /trpc/<procedure>" });
      })
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, "request failed");
        if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      });
  }
  // Keep-alive connections longer than a typical load balancer's idle timeout, so it closes first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  return {
    server,
    async shutdown(graceMs, drainMs = 0) {
      shuttingDown = true;
      // Not ready but still accepting while the load balancer takes the pod out of rotation:
      // closing the listener at once resets connections still in the kernel's accept queue.
      if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
      // Stop accepting with net.Server's close, not http.Server's: since Node 19 the latter also
      // destroys connections that are accepted but whose request is not parsed yet, so a request
      // already sent got a reset (measured: tests/faults/api-shutdown.test.ts).
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      // Responses from now on carry Connection: close; keep-alive sockets left idle are closed
      // after a moment in which requests already on the wire are read and answered.
      const idle = setInterval(() => server.closeIdleConnections(), 250);
      void closed.then(() => clearInterval(idle));
      const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
      if ((await Promise.race([closed, timeout])) === "timeout") {
        deps.logger.warn({ graceMs }, "in-flight requests still open after grace period; closing them");
        server.closeAllConnections();
        await closed;
      }
    },
  };
}

/** The caller of an HTTP request: null without an Authorization header, else a verified user. */
export async function authenticateRequest(deps: Pick<ApiDeps, "sessions">, req: http.IncomingMessage): Promise<AuthUser | null> {
  const token = bearerToken(req.headers.authorization);
  return token === null ? null : deps.sessions.authenticate(token);
}
