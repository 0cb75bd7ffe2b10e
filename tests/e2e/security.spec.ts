// Web security on the running system: security headers on real responses, pages load without
// CSP violations, the tRPC proxy refuses cross-origin writes (CSRF), and neither the browser
// bundle nor the services' logs contain a configured secret or the demo password.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD } from "../../scripts/local/system.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The secrets the local system is configured with (scripts/local/system.ts LOCAL_SECRETS). */
async function configuredSecrets(): Promise<string[]> {
  const source = await readFile(path.join(ROOT, "scripts/local/system.ts"), "utf8");
  const block = /const LOCAL_SECRETS = \{([\s\S]*?)\};/.exec(source)?.[1] ?? "";
  const values = [...block.matchAll(/:\s*"([^"]+)"/g)].map((m) => m[1]!);
  expect(values.length).toBeGreaterThan(2);
  return values;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test("every page carries the security headers", async ({ request }) => {
  for (const url of ["/", "/catalog", "/login"]) {
    const res = await request.get(url);
    const h = res.headers();
    expect(h["content-security-policy"], url).toContain("frame-ancestors 'none'");
    expect(h["content-security-policy"], url).toContain("default-src 'self'");
    expect(h["x-frame-options"], url).toBe("DENY");
    expect(h["referrer-policy"], url).toBe("strict-origin-when-cross-origin");
    expect(h["x-content-type-options"], url).toBe("nosniff");
    expect(h["permissions-policy"], url).toContain("camera=()");
  }
});

test("pages render and hydrate without CSP violations", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(m.text())) violations.push(m.text());
  });
  for (const url of ["/", "/catalog", "/login"]) {
    await page.goto(url);
    await page.waitForLoadState("networkidle");
  }
  expect(violations).toEqual([]);
});

test("CSRF: the tRPC proxy refuses a cross-origin POST, accepts a same-origin one", async ({ request, baseURL }) => {
  const body = JSON.stringify({ json: { productId: "00000000-0000-4000-8000-000000000000", quantity: 1 } });
  const cross = await request.post("/api/trpc/cart.add", {
    headers: { "content-type": "application/json", origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    data: body,
  });
  expect(cross.status()).toBe(403);
  expect(await cross.text()).toContain("Cross-origin request refused");
  // Old browsers without Sec-Fetch-Site: the Origin header decides.
  const foreignOrigin = await request.post("/api/trpc/cart.add", { headers: { "content-type": "application/json", origin: "https://evil.example" }, data: body });
  expect(foreignOrigin.status()).toBe(403);
  const noOrigin = await request.post("/api/trpc/cart.add", { headers: { "content-type": "application/json" }, data: body });
  expect(noOrigin.status()).toBe(403);
  // Same origin passes the guard (and then meets the API's own rule: signed-out is 401).
  const same = await request.post("/api/trpc/cart.add", { headers: { "content-type": "application/json", origin: baseURL!, "sec-fetch-site": "same-origin" }, data: body });
  expect(same.status()).not.toBe(403);
});

test("no configured secret or the demo password in the browser bundle or the services' logs", async () => {
  const secrets = [...(await configuredSecrets()), DEMO_PASSWORD];
  const bundle = await filesUnder(path.join(ROOT, ".next/static"));
  expect(bundle.length).toBeGreaterThan(0);
  const logs = await filesUnder(path.join(ROOT, "artifacts/e2e/logs"));
  for (const file of [...bundle, ...logs]) {
    const text = await readFile(file, "utf8");
    for (const secret of secrets) expect(text.includes(secret), `${secret} in ${path.relative(ROOT, file)}`).toBe(false);
    // Nor any connection string with credentials.
    expect(/(postgres(ql)?|amqps?):\/\/[^\s"'/]*:[^\s"'@]+@/.test(text), `credentials URL in ${path.relative(ROOT, file)}`).toBe(false);
  }
});
