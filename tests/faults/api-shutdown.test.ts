// API pods terminated during traffic: the real API process (node --import tsx src/server/main.ts,
// as in production) gets SIGTERM while clients keep sending requests through a stand-in for the
// load balancer (it stops routing once /readyz fails, as Kubernetes does). Every request sent
// gets a complete response (never a reset), and the process exits 0. SHUTDOWN_DRAIN_MS is the
// pause between failing readiness and closing the listener. The same run checks that no secret, password or token reaches the
// services' logs (at debug level) or an error response.
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BENCH_SECRETS, startBenchSystem, type BenchSystem } from "../../bench/system.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { CALL_TIMEOUT_MS, waitFor } from "../helpers/wait.ts";

let db: TestDatabase;
let system: BenchSystem;
let logDir: string;

type Outcome = { kind: "ok"; status: number } | { kind: "refused" } | { kind: "broken"; error: string };

/** One request on its own connection: complete (status + whole JSON body), refused at connect, or broken. */
function request(base: string, method: string, pathname: string, body?: string, headers: Record<string, string> = {}): Promise<Outcome & { text?: string }> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: pathname, method, agent: false, headers: { connection: "close", ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}), ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          try {
            JSON.parse(text);
            resolve({ kind: "ok", status: res.statusCode ?? 0, text });
          } catch {
            resolve({ kind: "broken", error: `incomplete body (${res.statusCode}): ${text.slice(0, 100)}` });
          }
        });
        res.on("error", (e) => resolve({ kind: "broken", error: String(e) }));
      },
    );
    req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED" ? { kind: "refused" } : { kind: "broken", error: `${e.code ?? ""} ${e.message}` }));
    req.end(body);
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  logDir = await mkdtemp(path.join(os.tmpdir(), "lavka-shutdown-"));
  system = await startBenchSystem({
    databaseUrl: db.url,
    products: 300,
    orders: 100,
    worker: false,
    logDir,
    // The longest grace the API accepts: an accepted request is never cut short by a slow machine.
    // The drain must outlast the stand-in load balancer noticing /readyz fail (a poll, as
    // Kubernetes does); that takes a few requests' time, and much longer on a busy machine.
    extraEnv: { LOG_LEVEL: "debug", SHUTDOWN_GRACE_MS: "120000", SHUTDOWN_DRAIN_MS: "5000" },
    startTimeoutMs: CALL_TIMEOUT_MS,
    log: () => undefined,
  });
});

afterAll(async () => {
  await system?.stop();
  await db?.drop();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

it("SIGTERM under steady traffic: no accepted request is dropped, exit code 0, no secret in logs or errors", async () => {
  const password = `pw-${randomUUID()}`;
  const email = `shutdown-${randomUUID()}@example.test`;
  const registered = await request(system.apiUrl, "POST", "/trpc/auth.register", JSON.stringify({ json: { email, password, displayName: "Shut Down" } }));
  expect(registered.kind === "ok" && registered.status).toBe(200);
  const token = (JSON.parse(registered.text!) as { result: { data: { json: { token: string } } } }).result.data.json.token;
  const wrong = await request(system.apiUrl, "POST", "/trpc/auth.login", JSON.stringify({ json: { email, password: `${password}-wrong` } }));
  expect(wrong.kind === "ok" && wrong.status).toBe(401);
  const errorBodies = [wrong.text!];
  const badToken = await request(system.apiUrl, "GET", "/trpc/cart.view", undefined, { authorization: `Bearer ${token}x` });
  errorBodies.push(badToken.text ?? "");

  const outcomes: Outcome[] = [];
  let stop = false;
  // The load balancer: routes to the pod while /readyz says ready (polled, as kube-proxy learns it).
  let routed = true;
  const watcher = (async () => {
    while (!stop && routed) {
      const ready = await request(system.apiUrl, "GET", "/readyz");
      if (ready.kind !== "ok" || ready.status !== 200) routed = false;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const input = encodeURIComponent(JSON.stringify({ json: { limit: 24 } }));
  const loops = Array.from({ length: 8 }, async (_, i) => {
    while (!stop && routed) {
      const outcome =
        i % 2 === 0
          ? await request(system.apiUrl, "GET", `/trpc/catalog.list?input=${input}`)
          : await request(system.apiUrl, "GET", "/trpc/cart.view", undefined, { authorization: `Bearer ${token}` });
      outcomes.push(outcome);
      if (outcome.kind === "refused") return;
    }
  });
  // Steady traffic first, then the signal a Kubernetes pod gets.
  await waitFor(() => outcomes.filter((o) => o.kind === "ok").length >= 50, { describe: "steady traffic" });
  const exited = new Promise<number | null>((resolve) => system.api.once("exit", (code) => resolve(code)));
  system.api.kill("SIGTERM");
  const code = await exited;
  stop = true;
  await Promise.all([...loops, watcher]);

  expect(code).toBe(0);
  const broken = outcomes.filter((o) => o.kind === "broken");
  expect(broken).toEqual([]);
  const ok = outcomes.filter((o): o is Extract<Outcome, { kind: "ok" }> => o.kind === "ok");
  expect(ok.every((o) => o.status === 200)).toBe(true);

  // Secrets: nothing configured or typed by the user appears in any log line or error body.
  const secrets = [password, token, BENCH_SECRETS.serviceToken, BENCH_SECRETS.webhookSecret];
  const logs = (await Promise.all((await readdir(logDir)).map((f) => readFile(path.join(logDir, f), "utf8")))).join("\n");
  expect(logs.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    expect(logs.includes(secret), "a secret is in the logs").toBe(false);
    for (const body of errorBodies) expect(body.includes(secret), "a secret is in an error response").toBe(false);
  }
});
