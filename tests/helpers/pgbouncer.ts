// A real PgBouncer (Debian's package; `.ci/run` installs it) in transaction mode in front of the
// test PostgreSQL, configured like manifests/base/pgbouncer.yaml: SCRAM password auth, a server
// pool smaller than the clients' pools, no Unix socket, logs on stderr. It refuses to run as
// root, so as root it drops to `nobody` (its -u flag).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { adminUrl } from "./postgres.ts";
import { freePort } from "./processes.ts";
import { CALL_TIMEOUT_MS } from "./wait.ts";

const BINARY = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"].find((p) => existsSync(p));

export interface PgBouncerOptions {
  /** Server connections per database and user (`default_pool_size`). */
  poolSize?: number;
  maxClientConnections?: number;
}

export interface RunningPgBouncer {
  port: number;
  /** `directUrl` (a database on the test server) as reached through PgBouncer. */
  urlFor(directUrl: string): string;
  /** SHOW STATS / SHOW POOLS rows of one database, from PgBouncer's admin console. */
  stats(database: string): Promise<{ transactions: number }>;
  pools(database: string): Promise<{ clients: number; servers: number }>;
  close(): Promise<void>;
}

/** Resolves once PgBouncer logs that it is up; rejects with its output if it exits first. */
function whenUp(child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pgbouncer did not start within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = () => {
      if (/process up/.test(output())) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr?.on("data", check);
    child.stdout?.on("data", check);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`pgbouncer exited (${code ?? signal}):\n${output()}`));
    });
  });
}

export async function startPgBouncer(options: PgBouncerOptions = {}): Promise<RunningPgBouncer> {
  if (!BINARY) throw new Error("pgbouncer is not installed: apt-get install -y pgbouncer (.ci/run does)");
  const upstream = new URL(adminUrl);
  const user = decodeURIComponent(upstream.username || "postgres");
  // Towards PostgreSQL PgBouncer logs in with this password (ignored under trust auth).
  const password = decodeURIComponent(upstream.password) || randomBytes(12).toString("hex");
  const poolSize = options.poolSize ?? 4;
  const dir = await mkdtemp(path.join(tmpdir(), "lavka-pgbouncer-"));
  // Readable by the unprivileged user PgBouncer switches to.
  await chmod(dir, 0o755);
  const ini = path.join(dir, "pgbouncer.ini");
  const userlist = path.join(dir, "userlist.txt");
  await writeFile(userlist, `"${user}" "${password}"\n`, { mode: 0o644 });

  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const config = [
      "[databases]",
      // Every test database (one per test file) on the test server.
      `* = host=${upstream.hostname} port=${upstream.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "logfile =",
      "pidfile =",
      "auth_type = scram-sha-256",
      `auth_file = ${userlist}`,
      `admin_users = ${user}`,
      "pool_mode = transaction",
      `default_pool_size = ${poolSize}`,
      `max_client_conn = ${options.maxClientConnections ?? 400}`,
      "reserve_pool_size = 0",
      `query_wait_timeout = ${Math.ceil(CALL_TIMEOUT_MS / 1000)}`,
      "log_connections = 0",
      "log_disconnections = 0",
    ];
    await writeFile(ini, `${config.join("\n")}\n`, { mode: 0o644 });
    const asRoot = process.getuid?.() === 0;
    const child = spawn(BINARY, [...(asRoot ? ["-u", "nobody"] : []), ini], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-20_000);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    try {
      await whenUp(child, () => output, CALL_TIMEOUT_MS);
    } catch (err) {
      child.kill("SIGKILL");
      // Another process took the port between freePort() and PgBouncer's bind: try another.
      if (attempt < 3 && /Address already in use/.test(output)) continue;
      await rm(dir, { recursive: true, force: true });
      throw err;
    }

    const adminConsole = async <R extends pg.QueryResultRow>(command: string): Promise<R[]> => {
      const client = new pg.Client({ host: "127.0.0.1", port, user, password, database: "pgbouncer" });
      await client.connect();
      try {
        return (await client.query<R>(command)).rows;
      } finally {
        await client.end();
      }
    };
    return {
      port,
      urlFor(directUrl) {
        const url = new URL(directUrl);
        url.hostname = "127.0.0.1";
        url.port = String(port);
        url.username = encodeURIComponent(user);
        url.password = encodeURIComponent(password);
        return url.toString();
      },
      async stats(database) {
        const row = (await adminConsole<{ database: string; total_xact_count: string }>("SHOW STATS")).find((r) => r.database === database);
        return { transactions: Number(row?.total_xact_count ?? 0) };
      },
      async pools(database) {
        const rows = (await adminConsole<Record<string, string>>("SHOW POOLS")).filter((r) => r.database === database);
        const sum = (keys: string[]) => rows.reduce((n, r) => n + keys.reduce((m, k) => m + Number(r[k] ?? 0), 0), 0);
        return { clients: sum(["cl_active", "cl_waiting", "cl_idle"]), servers: sum(["sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login"]) };
      },
      async close() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
          await exited;
          clearTimeout(timer);
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
