// PgBouncer in the manifests: its mounted configuration is where the image looks, the services'
// DATABASE_URLs lead to it and the migration Job's past it, and the connection budget of
// docs/deploy.md ("Database connections") still holds for the replica counts the overlays set.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type Container,
  find,
  type K8sObject,
  kustomizations,
  render,
  ROOT,
  workloads,
} from "./render.ts";

/** PostgreSQL's defaults, which the budget is written against (docs/deploy.md). */
const POSTGRES_MAX_CONNECTIONS = 100;
const POSTGRES_SUPERUSER_RESERVED = 3;

type Ini = Record<string, Record<string, string>>;

/** pgbouncer.ini: `[section]`, `key = value`, `;` comments. */
function parseIni(text: string): Ini {
  const ini: Ini = {};
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith(";") || line.startsWith("#")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      section = header[1];
      ini[section] ??= {};
      continue;
    }
    const eq = line.indexOf("=");
    (ini[section] ??= {})[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return ini;
}

/** `host=database port=5432 dbname=lavka` and `max_user_connections=8`. */
function parseParams(text: string): Record<string, string> {
  return Object.fromEntries(text.split(/\s+/).filter(Boolean).map((kv) => kv.split("=") as [string, string]));
}

function secretValue(objects: K8sObject[], name: string, key: string): string {
  // Production leaves Secrets to the cluster: their keys are the base's.
  const secret = find(objects, "Secret", name) ?? find(render("base"), "Secret", name);
  return ((secret?.stringData as Record<string, string> | undefined) ?? {})[key] ?? "";
}

function container(objects: K8sObject[], kind: string, name: string): Container {
  const c = workloads([find(objects, kind, name) as K8sObject])[0]?.template.spec.containers[0];
  if (!c) throw new Error(`${kind}/${name} has no container`);
  return c;
}

function databaseUrlOf(objects: K8sObject[], c: Container): URL {
  const ref = c.env?.find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef;
  const secretName = ref?.name ?? c.envFrom?.find((e) => e.secretRef)?.secretRef?.name ?? "";
  return new URL(secretValue(objects, secretName, ref?.key ?? "DATABASE_URL"));
}

function configOf(objects: K8sObject[]): Ini {
  const cm = find(objects, "ConfigMap", "pgbouncer-config");
  return parseIni((cm?.data as Record<string, string>)["pgbouncer.ini"] ?? "");
}

const num = (v: string | undefined): number => Number(v ?? Number.NaN);

describe.each(kustomizations())("%s", (dir) => {
  const objects = render(dir);
  const ini = configOf(objects);
  const settings = ini.pgbouncer ?? {};
  const deployment = workloads([find(objects, "Deployment", "pgbouncer") as K8sObject])[0];
  const bouncer = deployment?.template.spec.containers[0] as Container & { volumeMounts: { name: string; mountPath: string }[] };

  it("pools per transaction, reading its files where the image's CMD looks", () => {
    expect(settings.pool_mode).toBe("transaction");
    // The image runs `pgbouncer /etc/pgbouncer/pgbouncer.ini`; ConfigMap and Secret are projected there.
    const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile).toContain('CMD ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]');
    const mount = bouncer.volumeMounts.find((m) => m.mountPath === "/etc/pgbouncer");
    const volume = (deployment?.template.spec.volumes as { name: string; projected?: { sources: { configMap?: { name: string; items: { key: string; path: string }[] }; secret?: { name: string; items: { key: string; path: string }[] } }[] } }[]).find((v) => v.name === mount?.name);
    const files = (volume?.projected?.sources ?? []).flatMap((s) => (s.configMap ?? s.secret)?.items.map((i) => `/etc/pgbouncer/${i.path}`) ?? []);
    expect(files.sort()).toEqual(["/etc/pgbouncer/pgbouncer.ini", settings.auth_file].sort());
    // Listens on the port the Service and the probes use.
    const port = bouncer.ports?.find((p) => p.name === "postgres")?.containerPort;
    expect(num(settings.listen_port)).toBe(port);
    const svc = find(objects, "Service", "pgbouncer")?.spec as { ports: { port: number; targetPort: string }[] };
    expect(svc.ports).toEqual([expect.objectContaining({ port: 6432, targetPort: "postgres" })]);
  });

  it("the API and processor connect through PgBouncer, as users it knows, to a database it serves", () => {
    const userlist = secretValue(objects, "pgbouncer-secrets", "userlist.txt");
    const users = [...userlist.matchAll(/^"([^"]+)"\s+"[^"]*"$/gm)].map((m) => m[1]);
    const clients = [
      container(objects, "Deployment", "api-service"),
      container(objects, "Deployment", "data-processing-service"),
      container(objects, "CronJob", "data-processing-aggregate-sales"),
      ...["api-service", "data-processing-service"].map(
        (name) => workloads([find(objects, "Deployment", name) as K8sObject])[0]?.template.spec.initContainers?.[0] as Container,
      ),
    ];
    for (const c of clients) {
      const url = databaseUrlOf(objects, c);
      expect(`${url.hostname}:${url.port}`, c.name).toBe("pgbouncer:6432");
      expect(users, c.name).toContain(decodeURIComponent(url.username));
      const target = parseParams(ini.databases?.[url.pathname.slice(1)] ?? "");
      expect(target, `[databases] ${url.pathname}`).toMatchObject({ host: "database", port: "5432" });
    }
  });

  it("the migration Job connects straight to PostgreSQL (the migration engine holds a session lock)", () => {
    const url = databaseUrlOf(objects, container(objects, "Job", "db-migrate"));
    expect(`${url.hostname}:${url.port}`).toBe("database:5432");
  });

  it("the per-user server pools fit in the per-database cap", () => {
    const processorCap = num(parseParams(ini.users?.lavka_processor ?? "").max_user_connections);
    expect(processorCap).toBeGreaterThan(0);
    expect(num(settings.default_pool_size) + processorCap).toBe(num(settings.max_db_connections));
  });
});

/** Pods of a Deployment at most: its replicas (or HPA maximum) plus the rollout's surge. */
function maxPods(objects: K8sObject[], name: string): number {
  const d = find(objects, "Deployment", name)?.spec as { replicas?: number; strategy?: { rollingUpdate?: { maxSurge?: number | string } } };
  const hpa = find(objects, "HorizontalPodAutoscaler", name)?.spec as { maxReplicas: number } | undefined;
  const replicas = hpa?.maxReplicas ?? d.replicas ?? 1;
  const surge = d.strategy?.rollingUpdate?.maxSurge ?? "25%";
  return replicas + (typeof surge === "number" ? surge : Math.ceil((replicas * Number.parseInt(surge, 10)) / 100));
}

function poolMax(objects: K8sObject[], configMap: string): number {
  return Number((find(objects, "ConfigMap", configMap)?.data as Record<string, string>).DATABASE_POOL_MAX);
}

describe("connection budget (production overlay, docs/deploy.md)", () => {
  const objects = render("overlays/production");
  const settings = configOf(objects).pgbouncer ?? {};
  const apiPool = poolMax(objects, "api-service-config");
  const processorPool = poolMax(objects, "data-processing-service-config");
  const apiPods = maxPods(objects, "api-service");
  const workerPods = maxPods(objects, "data-processing-service");
  const cronJobs = objects.filter((o) => o.kind === "CronJob").length;
  const jobs = objects.filter((o) => o.kind === "Job" && o.metadata.name !== "db-migrate").length;
  const primaryClients = apiPods * apiPool + (workerPods + cronJobs + jobs) * processorPool;
  // With DATABASE_READ_URL every pod has a second pool of the same size, to PgBouncer's lavka_replica.
  const clients = 2 * primaryClients;
  const bouncerReplicas = (find(objects, "Deployment", "pgbouncer")?.spec as { replicas: number }).replicas;
  // A pod being replaced keeps its server connections while it drains.
  const bouncerPods = maxPods(objects, "pgbouncer") + 1;
  const perBouncer = num(settings.max_db_connections);
  const direct = 1; // db-migrate: the migration engine's single connection
  const servers = bouncerPods * perBouncer + direct + POSTGRES_SUPERUSER_RESERVED;
  // max_db_connections caps each database, so the replica gets as many (and no migration Job).
  const replicaServers = bouncerPods * perBouncer + POSTGRES_SUPERUSER_RESERVED;
  const docs = readFileSync(path.join(ROOT, "docs/deploy.md"), "utf8");

  it("every client connection the services may open fits on one PgBouncer pod (the other may be down)", () => {
    expect(clients).toBeLessThanOrEqual(num(settings.max_client_conn));
  });

  it("PgBouncer pods, the migration Job and the superuser reserve fit in PostgreSQL's max_connections", () => {
    expect(servers).toBeLessThanOrEqual(POSTGRES_MAX_CONNECTIONS);
  });

  it("the read replica is PgBouncer's lavka_replica, and its server connections fit in the replica's max_connections", () => {
    expect(parseParams(configOf(objects).databases?.lavka_replica ?? "")).toMatchObject({ host: "database-replica", port: "5432", dbname: "lavka" });
    expect(find(objects, "Service", "database-replica")).toBeDefined();
    // A hot standby's max_connections must be at least its primary's.
    expect(replicaServers).toBeLessThanOrEqual(POSTGRES_MAX_CONNECTIONS);
  });

  it("docs/deploy.md states these figures", () => {
    const rows = [
      `| API pods (HPA max ${apiPods - 1} + 1 surging) | ${apiPods} × ${apiPool} | ${apiPods * apiPool} |`,
      `| worker pods (${workerPods - 1} + 1 surging) | ${workerPods} × ${processorPool} | ${workerPods * processorPool} |`,
      `| CronJobs (${cronJobs}) and the one-off Job (${jobs}), if all run at once | ${cronJobs + jobs} × ${processorPool} | ${(cronJobs + jobs) * processorPool} |`,
      `| read pools, if \`DATABASE_READ_URL\` is set: one more pool of the same size in each pod above | | ${primaryClients} |`,
      `| **clients in all** | | **${clients}** ≤ \`max_client_conn\` ${settings.max_client_conn} per PgBouncer pod |`,
      `| PgBouncer pods (${bouncerReplicas} + 1 draining during a rollout) | ${bouncerPods} × \`max_db_connections\` ${perBouncer} | ${bouncerPods * perBouncer} |`,
      `| db-migrate Job, directly | ${direct} | ${direct} |`,
      `| PostgreSQL's \`superuser_reserved_connections\` | | ${POSTGRES_SUPERUSER_RESERVED} |`,
      `| **server connections in all** | | **${servers}** ≤ \`max_connections\` ${POSTGRES_MAX_CONNECTIONS} |`,
      `| **replica server connections** (\`lavka_replica\`): ${bouncerPods} × ${perBouncer} + ${POSTGRES_SUPERUSER_RESERVED} reserved | | **${replicaServers}** ≤ the replica's \`max_connections\` ${POSTGRES_MAX_CONNECTIONS} |`,
    ];
    for (const row of rows) expect(docs).toContain(row);
  });
});
