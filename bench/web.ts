// Web benchmark: time to first byte, JavaScript shipped (gzip) and largest contentful paint of
// the catalog and a product page, in headless Debian chromium, against the production build
// (`next build`, standalone server) talking to the API on the 100,000-product bench database.
//
//   npx tsx bench/web.ts            (WEB_BENCH_RUNS=N page loads per page, default 7)
//
// Prints a Markdown table and writes the raw figures to bench/results/web-<timestamp>.json.
import { spawn } from "node:child_process";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Browser } from "playwright-core";
import { freePort } from "../scripts/local/system.ts";
import { startBenchSystem, stopChild, waitForReady } from "./system.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.WEB_BENCH_RUNS ?? 7);
const TTFB_REQUESTS = 30;
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The standalone server needs the static assets and public/ beside it (as in the image). */
async function standaloneServer(): Promise<string> {
  const server = path.join(ROOT, ".next/standalone/server.js");
  if (!existsSync(server)) throw new Error("No web build: run `npm run build:web` first.");
  await cp(path.join(ROOT, ".next/static"), path.join(ROOT, ".next/standalone/.next/static"), { recursive: true });
  await cp(path.join(ROOT, "public"), path.join(ROOT, ".next/standalone/public"), { recursive: true });
  return server;
}

/** Server-side TTFB as a client sees it: request sent to the first byte of the body. */
async function ttfb(url: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < TTFB_REQUESTS; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers: { "accept-encoding": "gzip" } });
    const reader = res.body!.getReader();
    await reader.read();
    times.push(performance.now() - started);
    await reader.cancel();
  }
  return times;
}

interface PageLoad {
  ttfbMs: number;
  fcpMs: number;
  lcpMs: number;
  /** The LCP element, e.g. "IMG.main-image" or "H1". */
  lcpElement: string;
  jsFiles: number;
  jsRawBytes: number;
  jsGzipBytes: number;
  /** Gzipped JS beyond the framework's root chunks (what this page's own code costs). */
  pageJsGzipBytes: number;
  htmlGzipBytes: number;
  scripts: string[];
}

/** The chunks every App Router page loads (React, the router, the Turbopack runtime). */
async function frameworkChunks(): Promise<Set<string>> {
  const manifest = JSON.parse(await readFile(path.join(ROOT, ".next/build-manifest.json"), "utf8")) as { rootMainFiles: string[] };
  return new Set(manifest.rootMainFiles.map((f) => `/_next/${f}`));
}

async function loadInChromium(browser: Browser, url: string, framework: Set<string>): Promise<PageLoad> {
  // A fresh context per load: cold HTTP cache, as a first visit.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const scripts: Promise<{ url: string; body: Buffer }>[] = [];
  let html: Promise<Buffer> | null = null;
  page.on("response", (response) => {
    const type = response.request().resourceType();
    if (type === "script") scripts.push(response.body().then((body) => ({ url: new URL(response.url()).pathname, body }), () => ({ url: response.url(), body: Buffer.alloc(0) })));
    if (type === "document" && !html) html = response.body().catch(() => Buffer.alloc(0));
  });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForLoadState("networkidle");
  const timing = await page.evaluate(
    () =>
      new Promise<{ ttfb: number; fcp: number; lcp: number; element: string }>((resolve) => {
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN;
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          const last = entries[entries.length - 1] as PerformanceEntry & { element?: Element | null };
          const el = last.element;
          const element = el ? `${el.tagName}${el.className ? `.${String(el.className).split(" ")[0]}` : ""}` : "?";
          resolve({ ttfb: nav.responseStart - nav.requestStart, fcp, lcp: last.startTime, element });
        }).observe({ type: "largest-contentful-paint", buffered: true });
      }),
  );
  const loaded = await Promise.all(scripts);
  const bodies = loaded.map((s) => s.body);
  const pageOnly = loaded.filter((s) => !framework.has(s.url)).map((s) => s.body);
  const document = html ? await html : Buffer.alloc(0);
  await context.close();
  return {
    ttfbMs: timing.ttfb,
    fcpMs: timing.fcp,
    lcpMs: timing.lcp,
    lcpElement: timing.element,
    jsFiles: bodies.length,
    jsRawBytes: bodies.reduce((n, b) => n + b.length, 0),
    jsGzipBytes: bodies.reduce((n, b) => n + gzipSync(b, { level: 6 }).length, 0),
    pageJsGzipBytes: pageOnly.reduce((n, b) => n + gzipSync(b, { level: 6 }).length, 0),
    scripts: loaded.map((s) => s.url),
    htmlGzipBytes: gzipSync(document, { level: 6 }).length,
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const system = await startBenchSystem({ worker: false, log });
const webPort = await freePort();
const web = spawn(process.execPath, [await standaloneServer()], {
  env: { ...process.env, PORT: String(webPort), HOSTNAME: "127.0.0.1", API_URL: system.apiUrl, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  stdio: ["ignore", "ignore", "inherit"],
});
const webUrl = `http://127.0.0.1:${webPort}`;
try {
  await waitForReady(`${webUrl}/catalog`, web);
  const catalogHtml = await (await fetch(`${webUrl}/catalog`)).text();
  const productPath = /href="(\/products\/[0-9a-f-]{36})"/.exec(catalogHtml)?.[1];
  if (!productPath) throw new Error("the catalog page lists no product to measure");
  const pages = { catalog: "/catalog", product: productPath };

  const framework = await frameworkChunks();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  const figures: Record<string, { serverTtfbMs: { p50: number; p95: number }; loads: PageLoad[]; lcpElement: string; summary: Record<string, number> }> = {};
  try {
    for (const [name, pagePath] of Object.entries(pages)) {
      const url = `${webUrl}${pagePath}`;
      await loadInChromium(browser, url, framework); // warm the server (first render compiles nothing, but fills caches)
      const server = await ttfb(url);
      const loads: PageLoad[] = [];
      for (let i = 0; i < RUNS; i++) loads.push(await loadInChromium(browser, url, framework));
      figures[name] = {
        serverTtfbMs: { p50: quantile(server, 0.5), p95: quantile(server, 0.95) },
        loads,
        lcpElement: loads[0]!.lcpElement,
        summary: {
          browserTtfbMsP50: quantile(loads.map((l) => l.ttfbMs), 0.5),
          fcpMsP50: quantile(loads.map((l) => l.fcpMs), 0.5),
          lcpMsP50: quantile(loads.map((l) => l.lcpMs), 0.5),
          lcpMsMax: Math.max(...loads.map((l) => l.lcpMs)),
          jsFiles: loads[0]!.jsFiles,
          jsGzipKiB: Math.round((loads[0]!.jsGzipBytes / 1024) * 10) / 10,
          pageJsGzipKiB: Math.round((loads[0]!.pageJsGzipBytes / 1024) * 10) / 10,
          jsRawKiB: Math.round((loads[0]!.jsRawBytes / 1024) * 10) / 10,
          htmlGzipKiB: Math.round((loads[0]!.htmlGzipBytes / 1024) * 10) / 10,
        },
      };
    }
  } finally {
    await browser.close();
  }

  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const lines = [
    `Web pages, ${RUNS} cold loads each in headless chromium; server TTFB over ${TTFB_REQUESTS} sequential requests.`,
    "",
    "| page | TTFB p50 (server) | TTFB p95 (server) | TTFB p50 (browser) | FCP p50 | LCP p50 | LCP max | LCP element | JS files | JS gzip (all) | of which beyond the framework | JS raw | HTML gzip |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...Object.entries(figures).map(([name, f]) =>
      `| ${name} | ${ms(f.serverTtfbMs.p50)} | ${ms(f.serverTtfbMs.p95)} | ${ms(f.summary.browserTtfbMsP50!)} | ${ms(f.summary.fcpMsP50!)} | ${ms(f.summary.lcpMsP50!)} | ${ms(f.summary.lcpMsMax!)} | ${f.lcpElement} | ${f.summary.jsFiles} | ${f.summary.jsGzipKiB} KiB | ${f.summary.pageJsGzipKiB} KiB | ${f.summary.jsRawKiB} KiB | ${f.summary.htmlGzipKiB} KiB |`,
    ),
  ];
  console.log(lines.join("\n"));
  const resultsDir = path.join(import.meta.dirname, "results");
  await mkdir(resultsDir, { recursive: true });
  await writeFile(path.join(resultsDir, `web-${new Date().toISOString().replaceAll(":", "-")}.json`), `${JSON.stringify({ runs: RUNS, pages, figures }, null, 2)}\n`);
} finally {
  await stopChild(web);
  await system.stop();
}
