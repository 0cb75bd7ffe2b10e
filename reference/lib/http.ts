import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { timingSafeEqual } from "node:crypto";
import type { z } from "zod";
import type { Logger } from "pino";

/**
 * Minimal routing for the reference services: node:http, JSON in and out, the
 * shared error body `{ error: { code, message, details? } }` from docs/contracts.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface RequestContext {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when empty). */
  body: unknown;
  /** Exact body bytes as received. */
  rawBody: Buffer;
  header(name: string): string | undefined;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

/** `/v1/stock/:sku` -> regex with named groups; params are URL-decoded. */
export function route(method: string, path: string, handler: Handler): Route {
  const source = path.replace(/:([a-zA-Z]+)/g, (_m, name: string) => `(?<${name}>[^/]+)`);
  return { method, pattern: new RegExp(`^${source}$`), handler };
}

const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "payload_too_large", "Request body exceeds 1 MiB.");
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers["content-type"] = "application/json; charset=utf-8";
  headers["content-length"] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers).end(text);
}

export function errorReply(status: number, code: string, message: string, details?: unknown): Reply {
  return { status, body: { error: { code, message, ...(details === undefined ? {} : { details }) } } };
}

/** Parses with zod, answering 400 `validation_failed` with the issues a caller can fix. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    const first = issues[0];
    throw new HttpError(
      400,
      "validation_failed",
      first ? `Invalid request: ${first.path || "body"}: ${first.message}` : "Invalid request",
      { issues },
    );
  }
  return result.data;
}

export interface ServeOptions {
  port: number;
  host?: string;
  routes: Route[];
  logger: Logger;
  /** Runs before routing; may answer on its own (outage simulation) or delay. */
  before?: (ctx: RequestContext, path: string) => Promise<Reply | undefined> | Reply | undefined;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const { logger, routes } = options;
  const server = createServer((req, res) => {
    void (async () => {
      const started = Date.now();
      const url = new URL(req.url ?? "/", "http://localhost");
      let reply: Reply;
      try {
        const rawBody = await readBody(req);
        let body: unknown;
        if (rawBody.length > 0) {
          try {
            body = JSON.parse(rawBody.toString("utf8"));
          } catch {
            throw new HttpError(400, "invalid_json", "Request body is not valid JSON.");
          }
        }
        const ctx: RequestContext = {
          req,
          params: {},
          query: url.searchParams,
          body,
          rawBody,
          header: (name) => {
            const value = req.headers[name.toLowerCase()];
            return Array.isArray(value) ? value[0] : value;
          },
        };
        const early = options.before ? await options.before(ctx, url.pathname) : undefined;
        if (early) {
          reply = early;
        } else {
          const candidates = routes.filter((r) => r.pattern.test(url.pathname));
          const match = candidates.find((r) => r.method === req.method);
          if (!match) {
            reply =
              candidates.length > 0
                ? errorReply(405, "method_not_allowed", `${req.method} is not supported on ${url.pathname}.`)
                : errorReply(404, "not_found", `No endpoint at ${url.pathname}.`);
          } else {
            const groups = match.pattern.exec(url.pathname)?.groups ?? {};
            for (const [k, v] of Object.entries(groups)) ctx.params[k] = decodeURIComponent(v);
            reply = await match.handler(ctx);
          }
        }
      } catch (err) {
        if (err instanceof HttpError) {
          reply = errorReply(err.status, err.code, err.message, err.details);
        } else {
          logger.error({ err, method: req.method, path: url.pathname }, "request failed");
          reply = errorReply(500, "internal", "Internal error in the reference service.");
        }
      }
      if (!res.headersSent && !res.destroyed) send(res, reply);
      logger.debug({ method: req.method, path: url.pathname, status: reply.status, ms: Date.now() - started }, "request");
    })();
  });
  // Keep-alive sockets would hold close() open; tests need it to return promptly.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const displayHost = hostForUrl === "0.0.0.0" || hostForUrl === "[::]" ? "127.0.0.1" : hostForUrl;
  return {
    url: `http://${displayHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Constant-time comparison of the `X-Service-Token` header with the configured token. */
export function requireServiceToken(ctx: RequestContext, expected: string): void {
  const given = ctx.header("x-service-token");
  if (!given) throw new HttpError(401, "missing_service_token", "X-Service-Token header is required.");
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new HttpError(403, "invalid_service_token", "X-Service-Token is not valid for this service.");
  }
}

export function requireIdempotencyKey(ctx: RequestContext): string {
  const key = ctx.header("idempotency-key");
  if (!key) throw new HttpError(400, "missing_idempotency_key", "Idempotency-Key header is required.");
  if (key.length > 200) throw new HttpError(400, "validation_failed", "Idempotency-Key must be at most 200 characters.");
  return key;
}

export const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();
