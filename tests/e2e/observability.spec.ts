// Following one request from the browser through the web server to the API in the running
// system: the id the web assigns (or keeps) comes back in the response, both processes log one
// access line with it, and the web's /metrics answers on its own port only.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { e2eSystem } from "./support/system";

const LOGS = path.resolve(import.meta.dirname, "../../artifacts/e2e/logs");

async function linesOf(service: "web" | "api"): Promise<Record<string, unknown>[]> {
  const text = await readFile(path.join(LOGS, `${service}.log`), "utf8");
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const accessLines = async (service: "web" | "api", requestId: string) => (await linesOf(service)).filter((l) => l.msg === "request" && l.requestId === requestId);

test("a page request keeps the caller's request id, and the web and the API each log it with route, status and duration", async ({ request }) => {
  const requestId = `e2e-${randomUUID()}`;
  const res = await request.get("/catalog", { headers: { "x-request-id": requestId } });
  expect(res.status()).toBe(200);
  expect(res.headers()["x-request-id"]).toBe(requestId);
  await expect.poll(() => accessLines("web", requestId)).toEqual([expect.objectContaining({ method: "GET", route: "/catalog", status: 200, durationMs: expect.any(Number) })]);
  // The page's calls to the API (one batch) carry the same id.
  await expect.poll(async () => (await accessLines("api", requestId)).map((l) => String(l.route))).toEqual([expect.stringMatching(/^\/trpc\/.*catalog\.list/)]);
});

test("without an incoming id the web assigns one; the /api/trpc proxy passes the id on to the API", async ({ page, request }) => {
  const res = await page.goto("/catalog");
  const pageId = res?.headers()["x-request-id"] ?? "";
  expect(pageId).toMatch(/^[0-9a-f-]{36}$/);
  await expect.poll(async () => (await accessLines("api", pageId)).length).toBeGreaterThan(0);
  // What the browser's own tRPC calls go through.
  const requestId = `e2e-${randomUUID()}`;
  const proxied = await request.get("/api/trpc/catalog.categories", { headers: { "x-request-id": requestId } });
  expect(proxied.status()).toBe(200);
  expect(proxied.headers()["x-request-id"]).toBe(requestId);
  await expect.poll(async () => (await accessLines("api", requestId)).map((l) => [l.route, l.status])).toEqual([["/trpc/catalog.categories", 200]]);
});

test("the web's /metrics answers on its own port, not on the pages' port the Ingress serves", async ({ request }) => {
  const { webMetricsUrl } = e2eSystem();
  await request.get("/catalog");
  const metrics = await request.get(webMetricsUrl);
  expect(metrics.status()).toBe(200);
  const text = await metrics.text();
  expect(text).toContain('lavka_http_request_duration_seconds_count{service="web",route="/catalog",method="GET",status="200"}');
  expect(text).toContain("process_cpu_seconds_total");
  expect((await request.get("/metrics")).status()).toBe(404);
});
