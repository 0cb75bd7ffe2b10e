import http from "node:http";
import type { Registry } from "prom-client";

export interface ProbeHandlers {
  registry: Registry;
  /** Resolves when the process can do its work (database reachable); rejects with the reason otherwise. */
  ready: () => Promise<void>;
}

/**
 * Answers /healthz (process up), /readyz (dependencies reachable) and /metrics (Prometheus text).
 * Returns true when it handled the request, so a larger server can fall through to its own routes.
 */
export async function handleProbe(req: http.IncomingMessage, res: http.ServerResponse, handlers: ProbeHandlers): Promise<boolean> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (path === "/healthz") {
    sendJson(res, 200, { status: "ok" });
    return true;
  }
  if (path === "/readyz") {
    try {
      await handlers.ready();
      sendJson(res, 200, { status: "ready" });
    } catch (error) {
      sendJson(res, 503, { status: "not ready", reason: error instanceof Error ? error.message : String(error) });
    }
    return true;
  }
  if (path === "/metrics") {
    const body = await handlers.registry.metrics();
    res.writeHead(200, { "content-type": handlers.registry.contentType });
    res.end(body);
    return true;
  }
  return false;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** A server that serves only the probes: the processor's worker and cron modes use it. */
export function startProbeServer(port: number, handlers: ProbeHandlers): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    handleProbe(req, res, handlers)
      .then((handled) => {
        if (!handled) sendJson(res, 404, { error: "not found" });
      })
      .catch(() => sendJson(res, 500, { error: "probe failed" }));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve(server));
  });
}
