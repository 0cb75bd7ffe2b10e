// API load benchmark: `npx tsx bench/api.ts` (see docs/benchmarks.md).
// Starts Lavka (bench/system.ts: PostgreSQL database lavka_bench with 100,000 products) and the
// bare node:http + pg server (bench/bare-server.ts) on the same database, then measures at a
// fixed concurrency: catalog list, search, product detail, add to cart (autocannon), and
// checkout (a closed loop of add-to-cart + checkout.place per connection, timing the place).
// Prints a Markdown table and writes the raw figures to bench/results/api-<timestamp>.json.
//
// Environment: BENCH_CONNECTIONS (10), BENCH_DURATION_S (10 per scenario), BENCH_CPU_PROF=1
// (API CPU profile into $TMPDIR/lavka-bench/prof on exit), BENCH_ONLY=list,search,... (a subset).
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { startBenchSystem } from "./system.ts";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const ONLY = process.env.BENCH_ONLY?.split(",") ?? null;
const SEARCH_TERMS = ["lamp", "organic wool", "smart charger", "vintage", "scarf", "webcam", "duvet cover", "table"];

interface Figure {
  scenario: string;
  target: "lavka" | "bare";
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

const input = (value: unknown) => `input=${encodeURIComponent(JSON.stringify({ json: value }))}`;
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

async function cannon(scenario: string, target: Figure["target"], options: autocannon.Options): Promise<Figure> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options });
  const figure = {
    scenario,
    target,
    requestsPerSec: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
  process.stderr.write(`${scenario} (${target}): ${figure.requestsPerSec} req/s, p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms, non-2xx ${figure.non2xx}\n`);
  return figure;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function trpc(apiUrl: string, procedure: string, body: unknown, token?: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${apiUrl}/trpc/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ json: body }),
  });
  return { status: res.status, json: await res.json() };
}

/** Closed loop per connection: add one unit to the cart, then place the order; times the place. */
async function checkoutLoop(apiUrl: string, tokens: string[], productIds: string[]): Promise<Figure> {
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const deadline = Date.now() + DURATION_S * 1000;
  const started = Date.now();
  await Promise.all(
    tokens.map(async (token) => {
      while (Date.now() < deadline) {
        try {
          const add = await trpc(apiUrl, "cart.add", { productId: pick(productIds), quantity: 1 }, token);
          if (add.status !== 200) non2xx += 1;
          const t0 = performance.now();
          const placed = await trpc(
            apiUrl,
            "checkout.place",
            { idempotencyKey: randomUUID(), shippingAddress: { name: "Bench Buyer", line1: "1 Load Street", city: "Riga", postalCode: "LV-1001", country: "LV" } },
            token,
          );
          latencies.push(performance.now() - t0);
          if (placed.status !== 200) {
            non2xx += 1;
            if (non2xx <= 3) process.stderr.write(`checkout answered ${placed.status}: ${JSON.stringify(placed.json).slice(0, 300)}\n`);
          }
        } catch {
          errors += 1;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const figure: Figure = {
    scenario: "checkout (cart.add + checkout.place)",
    target: "lavka",
    requestsPerSec: Math.round((latencies.length / (Date.now() - started)) * 1000),
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
    requests: latencies.length,
    non2xx,
    errors,
  };
  process.stderr.write(`checkout: ${figure.requestsPerSec} orders/s, place p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms, non-2xx ${non2xx}\n`);
  return figure;
}

async function startBare(databaseUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "bare-server.ts")], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: "0", DATABASE_POOL_MAX: "10" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`bare server exited (${code})`)));
    child.stdout!.on("data", (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGTERM")))),
  };
}

const wanted = (name: string) => ONLY === null || ONLY.includes(name);

const profDir = path.join(os.tmpdir(), "lavka-bench", "prof");
const system = await startBenchSystem(process.env.BENCH_CPU_PROF === "1" ? { apiNodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profDir}`] } : {});
const bare = await startBare(system.databaseUrl);
const figures: Figure[] = [];
try {
  const db = new pg.Client({ connectionString: system.databaseUrl });
  await db.connect();
  const { rows: products } = await db.query<{ id: string; sku: string }>(
    `SELECT id::text, sku FROM "Product" WHERE status = 'active' ORDER BY sku LIMIT 1000`,
  );
  const cartProducts = products.slice(0, 50);
  // Plenty of stock for the products the checkout scenario buys, so it measures orders, not sell-outs.
  // (Reservations of earlier runs stay: the worker still commits or releases them.)
  await db.query(`UPDATE ref_inventory.stock SET on_hand = reserved + 10000000 WHERE sku = ANY($1)`, [cartProducts.map((p) => p.sku)]);
  await db.end();
  const ids = products.map((p) => p.id);

  const tokens: string[] = [];
  for (let i = 0; i < CONNECTIONS; i += 1) {
    const r = await trpc(system.apiUrl, "auth.register", { email: `bench-${randomUUID()}@lavka.test`, password: "bench-password-1", displayName: `Bench ${i}` });
    if (r.status !== 200) throw new Error(`register failed: ${JSON.stringify(r.json)}`);
    tokens.push((r.json as { result: { data: { json: { token: string } } } }).result.data.json.token);
  }

  // Warm-up: JIT, connection pools, the availability cache.
  await autocannon({ url: `${system.apiUrl}/trpc/catalog.list?${input({ limit: 24 })}`, connections: CONNECTIONS, duration: 3 });
  await autocannon({ url: `${bare.url}/trpc/catalog.list?${input({ limit: 24 })}`, connections: CONNECTIONS, duration: 3 });

  for (const [target, url] of [["lavka", system.apiUrl], ["bare", bare.url]] as const) {
    if (wanted("list")) figures.push(await cannon("catalog list (24, newest)", target, { url: `${url}/trpc/catalog.list?${input({ limit: 24 })}` }));
    if (wanted("search"))
      figures.push(
        await cannon("search (24, relevance)", target, {
          url,
          requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: `/trpc/catalog.list?${input({ limit: 24, q: pick(SEARCH_TERMS) })}` }) }],
        }),
      );
    if (wanted("detail"))
      figures.push(
        await cannon("product detail", target, {
          url,
          requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: `/trpc/catalog.get?${input({ id: pick(ids) })}` }) }],
        }),
      );
  }
  if (wanted("cart")) {
    let next = 0;
    figures.push(
      await cannon("add to cart", "lavka", {
        url: system.apiUrl,
        requests: [
          {
            method: "POST",
            setupRequest: (req) => ({
              ...req,
              path: "/trpc/cart.add",
              headers: { "content-type": "application/json", authorization: `Bearer ${tokens[(next += 1) % tokens.length]}` },
              // From 50 products: a cart never reaches its 100-line cap, so every add is a real add.
              body: JSON.stringify({ json: { productId: pick(cartProducts).id, quantity: 1 } }),
            }),
          },
        ],
      }),
    );
    // Leave carts empty for the checkout loop.
    for (const token of tokens) await trpc(system.apiUrl, "cart.clear", undefined, token);
  }
  if (wanted("checkout")) figures.push(await checkoutLoop(system.apiUrl, tokens, cartProducts.map((p) => p.id)));
} finally {
  await bare.stop();
  await system.stop();
}

const ratio = (scenario: string) => {
  const l = figures.find((f) => f.scenario === scenario && f.target === "lavka");
  const b = figures.find((f) => f.scenario === scenario && f.target === "bare");
  return l && b ? (b.requestsPerSec / l.requestsPerSec).toFixed(2) : "";
};
const lines = [
  `API benchmark, ${new Date().toISOString()}, ${CONNECTIONS} connections, ${DURATION_S} s per scenario, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "cpu"})`,
  "",
  "| scenario | target | req/s | p50 ms | p99 ms | requests | non-2xx | errors | bare/lavka req/s |",
  "|---|---|---:|---:|---:|---:|---:|---:|---:|",
  ...figures.map(
    (f) => `| ${f.scenario} | ${f.target} | ${f.requestsPerSec} | ${f.p50Ms} | ${f.p99Ms} | ${f.requests} | ${f.non2xx} | ${f.errors} | ${f.target === "lavka" ? ratio(f.scenario) : ""} |`,
  ),
];
process.stdout.write(`${lines.join("\n")}\n`);
const resultsDir = path.join(import.meta.dirname, "results");
await mkdir(resultsDir, { recursive: true });
await writeFile(path.join(resultsDir, `api-${new Date().toISOString().replaceAll(":", "-")}.json`), `${JSON.stringify({ connections: CONNECTIONS, durationS: DURATION_S, figures }, null, 2)}\n`);
if (process.env.BENCH_CPU_PROF === "1") process.stderr.write(`CPU profiles in ${profDir}\n`);
