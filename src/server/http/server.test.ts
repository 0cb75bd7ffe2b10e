import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "~/lib/db";
import { createMetricsRegistry } from "~/lib/metrics";
import { startTestApi, type TestApi } from "../../../tests/helpers/api.ts";
import { adminQuery } from "../../../tests/helpers/db.ts";
import { CALL_TIMEOUT_MS, waitFor } from "../../../tests/helpers/wait.ts";
import { createApiServer } from "./server";

let api: TestApi;
let url: string;

beforeAll(async () => {
  api = await startTestApi();
  url = await api.listen();
});
afterAll(async () => {
  await api.close();
});

const catalogList = (input: unknown) => `/trpc/catalog.list?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;

describe("probes and metrics", () => {
  it("answers /healthz and /readyz when the database is reachable", async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("reports not ready, with the reason, when the database is unreachable", async () => {
    const unreachable = createDb("postgresql://postgres@127.0.0.1:1/nowhere", { maxConnections: 1 });
    const server = createApiServer({ deps: { ...api.deps, db: unreachable }, registry: createMetricsRegistry("t"), maxBodyBytes: 10_000 });
    await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", resolve));
    const { port } = server.server.address() as { port: number };
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; reason: string };
      expect(body.status).toBe("not ready");
      expect(body.reason.length).toBeGreaterThan(0);
      // Liveness does not depend on the database: restarting the pod would not fix it.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await server.shutdown(1_000);
      await unreachable.$disconnect();
    }
  });

  it("exposes Prometheus metrics including request durations by route", async () => {
    await fetch(`${url}${catalogList({ limit: 1 })}`);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toMatch(/lavka_http_request_duration_seconds_count\{[^}]*route="\/trpc\/catalog.list"/);
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("answers unknown paths with a JSON 404 that says where procedures live", async () => {
    const res = await fetch(`${url}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { hint: string }).hint).toContain("/trpc");
  });
});

describe("errors", () => {
  it("names each invalid field and never sends a stack trace", async () => {
    const res = await fetch(`${url}${catalogList({ limit: -2, bogus: 1 })}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { json: { message: string; data: Record<string, unknown> } } };
    expect(body.error.json.message).toContain("limit:");
    expect(body.error.json.data.fieldErrors).toMatchObject({ limit: [expect.any(String)], bogus: ["unknown field"] });
    expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js|mjs):\d+/);
    expect(body.error.json.data).not.toHaveProperty("stack");
  });
});

describe("graceful shutdown", () => {
  it("finishes a request already in flight, then refuses new connections", async () => {
    const local = await startTestApi();
    const server = await local.listen();
    // Hold a lock the catalog query needs, so the request is provably in flight during shutdown.
    const blocker = new pg.Client({ connectionString: local.database.url });
    await blocker.connect();
    let released = false;
    try {
      await blocker.query("BEGIN");
      await blocker.query(`LOCK TABLE "Product" IN ACCESS EXCLUSIVE MODE`);
      const inFlight = fetch(`${server}${catalogList({ limit: 1 })}`);
      const database = new URL(local.database.url).pathname.slice(1);
      const waitingForLock = async () =>
        (await adminQuery(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [database])).length > 0;
      await waitFor(waitingForLock, { describe: "the catalog query to wait for the table lock" });
      // The in-flight request gets as long as the test to finish, however slow the machine.
      const closing = local.close(CALL_TIMEOUT_MS);
      // The listener closed synchronously in close(): new connections are refused at once.
      await expect(fetch(`${server}/healthz`)).rejects.toThrow();
      await blocker.query("COMMIT");
      await blocker.end();
      released = true;
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { result: { data: { json: { items: unknown[] } } } }).result.data.json.items).toEqual([]);
      await closing;
    } finally {
      if (!released) await blocker.end();
    }
  });
});
