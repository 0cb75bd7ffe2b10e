import type { Db } from "~/lib/db";
import type { HttpClient } from "~/core/integrations/http";

/**
 * What operators see of the running API: each dependency's health, and the effective
 * configuration with every secret masked.
 */

/** Set by main.ts from the API's config; absent in tests that do not need it. */
export interface OperationsInfo {
  /** The effective configuration, unmasked: maskConfig runs before anyone sees it. */
  config: Record<string, unknown>;
  /** Services the API probes only for admin.health (it makes no other calls to them): base URLs. */
  probeUrls: { payment?: string | undefined; carrier?: string | undefined };
  /** How long each health probe may take before the service counts as down. Default 2 s. */
  probeTimeoutMs?: number;
}

/** Names whose values are secrets: *_TOKEN, *_SECRET, *_KEY and anything with PASSWORD in it. */
const SECRET_NAME = /(_TOKEN|_SECRET|_KEY)$|PASSWORD/i;
const MASK = "********";

/** Credentials inside URLs: `scheme://user:password@host` and password/token/secret/key query parameters. */
export function maskUrlCredentials(value: string): string {
  return value
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/gi, (_m, scheme: string, userinfo: string) => {
      const user = userinfo.split(":")[0];
      return `${scheme}${user ? `${user}:` : ""}${MASK}@`;
    })
    .replace(/([?&][^=&\s]*(?:password|token|secret|key)[^=&\s]*=)[^&\s]*/gi, `$1${MASK}`);
}

export function maskConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(config).sort()) {
    const value = config[key];
    if (SECRET_NAME.test(key)) out[key] = value === "" || value === undefined || value === null ? value : MASK;
    else out[key] = typeof value === "string" ? maskUrlCredentials(value) : value;
  }
  return out;
}

export type DependencyStatus = "up" | "down" | "degraded" | "not_configured";

export interface DependencyHealth {
  name: string;
  status: DependencyStatus;
  latencyMs: number | null;
  detail: string | null;
}

export interface HealthDeps {
  db: Db;
  /** The streaming replica of the read paths, when there is one. */
  readDb?: Db;
  auth: { http: HttpClient };
  inventory: { http: HttpClient };
  operations?: OperationsInfo | undefined;
  now: () => Date;
  fetch?: typeof fetch;
}

const PROBE_TIMEOUT_MS = 2_000;
/** Outbox events older than this and still unpublished mean the relay is behind or stopped. */
const OUTBOX_LAG_LIMIT_MS = 5 * 60_000;

async function timed(name: string, probe: () => Promise<string | null>): Promise<DependencyHealth> {
  const started = performance.now();
  try {
    const detail = await probe();
    return { name, status: "up", latencyMs: Math.round(performance.now() - started), detail };
  } catch (error) {
    return { name, status: "down", latencyMs: Math.round(performance.now() - started), detail: error instanceof Error ? error.message : String(error) };
  }
}

function viaClient(name: string, http: HttpClient, timeoutMs: number): Promise<DependencyHealth> {
  // Not retried (a health check reports, it does not insist); the breaker state shows through.
  return timed(name, async () => {
    await http.request({ method: "GET", path: "/healthz", schema: null, operation: "health check", timeoutMs });
    return http.breaker.state === "closed" ? null : `circuit ${http.breaker.state}`;
  });
}

function viaUrl(name: string, baseUrl: string | undefined, doFetch: typeof fetch, timeoutMs: number): Promise<DependencyHealth> {
  if (!baseUrl) return Promise.resolve({ name, status: "not_configured", latencyMs: null, detail: "no URL configured for the API" });
  return timed(name, async () => {
    const res = await doFetch(new URL("healthz", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`), { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`GET /healthz answered ${res.status}`);
    return null;
  });
}

async function queueBacklog(db: Db, now: Date): Promise<DependencyHealth> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  try {
    const [unpublished, oldest, deadLetters] = await Promise.all([
      db.outboxEvent.count({ where: { publishedAt: null } }),
      db.outboxEvent.findFirst({ where: { publishedAt: null }, orderBy: { seq: "asc" }, select: { occurredAt: true } }),
      db.deadLetter.count({ where: { replayedAt: null } }),
    ]);
    const lagMs = oldest ? now.getTime() - oldest.occurredAt.getTime() : 0;
    return {
      name: "queue",
      status: lagMs > OUTBOX_LAG_LIMIT_MS ? "degraded" : "up",
      latencyMs: latencyMs(),
      detail: `${unpublished} events waiting in the outbox (oldest ${Math.round(lagMs / 1000)} s), ${deadLetters} dead letters not replayed`,
    };
  } catch (error) {
    return { name: "queue", status: "down", latencyMs: latencyMs(), detail: error instanceof Error ? error.message : String(error) };
  }
}

/** How far the replica's replay is behind the primary's WAL, and whether it replays at all. */
async function readReplica(db: Db, readDb: Db | undefined): Promise<DependencyHealth> {
  const name = "read_replica";
  if (!readDb) return { name, status: "not_configured", latencyMs: null, detail: "catalog, stats and reports read the primary" };
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  try {
    const [[primary], [replica]] = await Promise.all([
      db.$queryRaw<{ lsn: string }[]>`SELECT pg_current_wal_lsn()::text AS lsn`,
      readDb.$queryRaw<{ recovering: boolean; paused: boolean; lsn: string | null }[]>`
        SELECT pg_is_in_recovery() AS recovering,
               CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END AS paused,
               pg_last_wal_replay_lsn()::text AS lsn`,
    ]);
    if (!replica?.recovering || !replica.lsn) return { name, status: "degraded", latencyMs: latencyMs(), detail: "DATABASE_READ_URL is not a streaming replica" };
    const [{ behind }] = await db.$queryRaw<[{ behind: number }]>`SELECT pg_wal_lsn_diff(${primary!.lsn}::pg_lsn, ${replica.lsn}::pg_lsn)::float8 AS behind`;
    const lag = `${Math.max(0, Math.round(behind / 1024))} KiB of changes behind the primary`;
    return { name, status: replica.paused ? "degraded" : "up", latencyMs: latencyMs(), detail: replica.paused ? `replay paused, ${lag}` : lag };
  } catch (error) {
    return { name, status: "down", latencyMs: latencyMs(), detail: error instanceof Error ? error.message : String(error) };
  }
}

/** Every dependency checked at once, each within a couple of seconds, never throwing. */
export async function checkHealth(deps: HealthDeps): Promise<{ status: DependencyStatus; checkedAt: Date; dependencies: DependencyHealth[] }> {
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.operations?.probeTimeoutMs ?? PROBE_TIMEOUT_MS;
  const dependencies = await Promise.all([
    timed("database", async () => {
      await deps.db.$queryRaw`SELECT 1`;
      return null;
    }),
    viaClient("auth", deps.auth.http, timeoutMs),
    viaClient("inventory", deps.inventory.http, timeoutMs),
    viaUrl("payment", deps.operations?.probeUrls.payment, doFetch, timeoutMs),
    viaUrl("carrier", deps.operations?.probeUrls.carrier, doFetch, timeoutMs),
    queueBacklog(deps.db, deps.now()),
    readReplica(deps.db, deps.readDb),
  ]);
  const status: DependencyStatus = dependencies.some((d) => d.name === "database" && d.status === "down")
    ? "down"
    : dependencies.some((d) => d.status === "down" || d.status === "degraded")
      ? "degraded"
      : "up";
  return { status, checkedAt: deps.now(), dependencies };
}

export function effectiveConfig(operations: OperationsInfo | undefined): Record<string, unknown> {
  return maskConfig(operations?.config ?? {});
}
