// A streaming replica of the test PostgreSQL, made on this machine: a second PostgreSQL 15
// server in a temporary directory, fed by `pg_basebackup -R` (physical streaming replication)
// from the primary the tests use (TEST_DATABASE_URL, 127.0.0.1:5432), and removed afterwards.
//
// What the primary needs, set up here once per machine and idempotently (a fresh CI machine
// gets it on the first run):
// - a pg_hba.conf rule letting 127.0.0.1 connect for replication, appended to the primary's
//   hba_file as `host replication all 127.0.0.1/32 trust`, then pg_reload_conf();
// - wal_level `replica` or `logical` (PostgreSQL's default) and a free WAL sender
//   (max_wal_senders, default 10): checked, never changed (they need a restart).
// PostgreSQL refuses to run as root, so as root the replica runs as the `postgres` OS user.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, chown, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { adminUrl } from "./postgres.ts";
import { exitOf, freePort } from "./processes.ts";
import { waitFor } from "./wait.ts";

const BIN = "/usr/lib/postgresql/15/bin";
const HBA_RULE = "host replication all 127.0.0.1/32 trust";

export interface RunningReplica {
  port: number;
  /** `primaryUrl` (a database on the primary) as served by the replica. */
  urlFor(primaryUrl: string): string;
  /** Stops applying the primary's changes (they still arrive): a replica that lags. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Resolves once the replica has applied everything the primary had written when called. */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

async function onPrimary<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The replication rule in the primary's pg_hba.conf, added if no rule lets 127.0.0.1 replicate. */
async function allowReplication(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ wal_level: string }>("SHOW wal_level");
  if (!["replica", "logical"].includes(rows[0]!.wal_level)) {
    throw new Error(`the primary's wal_level is ${rows[0]!.wal_level}: set it to replica (ALTER SYSTEM SET wal_level = replica) and restart PostgreSQL`);
  }
  const rules = await client.query(
    `SELECT 1 FROM pg_hba_file_rules WHERE error IS NULL AND type = 'host' AND 'replication' = ANY(database)
       AND (address IN ('all', 'samehost') OR (address = '127.0.0.1' AND netmask = '255.255.255.255'))`,
  );
  if (rules.rowCount! > 0) return;
  const { rows: file } = await client.query<{ hba_file: string }>("SHOW hba_file");
  const hbaFile = file[0]!.hba_file;
  // Another test file may have added it a moment ago.
  if (!(await readFile(hbaFile, "utf8")).split("\n").includes(HBA_RULE)) {
    await appendFile(hbaFile, `\n# Streaming replicas for Lavka's tests (tests/helpers/replica.ts)\n${HBA_RULE}\n`);
  }
  await client.query("SELECT pg_reload_conf()");
}

function asPostgresUser(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

function run(command: string, args: string[], user: ReturnType<typeof asPostgresUser>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...user, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} exited with ${code}: ${stderr}`))));
  });
}

export async function startReplica(): Promise<RunningReplica> {
  if (!existsSync(`${BIN}/postgres`)) throw new Error(`no PostgreSQL 15 server binaries in ${BIN}`);
  const user = asPostgresUser();
  // A standby must allow at least as much as its primary in these settings, or it will not start.
  const primary = await onPrimary(async (client) => {
    await allowReplication(client);
    const names = ["max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions", "max_locks_per_transaction"];
    const { rows } = await client.query<{ name: string; setting: string }>("SELECT name, setting FROM pg_settings WHERE name = ANY($1)", [names]);
    return { settings: rows, url: new URL(adminUrl) };
  });

  const dir = await mkdtemp(path.join(tmpdir(), "lavka-replica-"));
  const data = path.join(dir, "data");
  if ("uid" in user) await chown(dir, user.uid, user.gid);
  let server: ChildProcess | null = null;
  try {
    await run(
      `${BIN}/pg_basebackup`,
      ["-h", primary.url.hostname, "-p", primary.url.port || "5432", "-U", decodeURIComponent(primary.url.username) || "postgres", "-D", data, "-R", "-X", "stream", "-c", "fast", "--no-sync"],
      user,
    );
    const port = await freePort();
    // The primary's own configuration files live outside its data directory (Debian): the
    // replica gets its own, a throwaway server's (no fsync, small buffers).
    const conf = [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      "hot_standby = on",
      "fsync = off",
      "shared_buffers = '32MB'",
      ...primary.settings.map((s) => `${s.name} = ${s.setting}`),
    ];
    await writeFile(path.join(data, "postgresql.conf"), `${conf.join("\n")}\n`);
    await writeFile(path.join(data, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n");
    await writeFile(path.join(data, "pg_ident.conf"), "");
    if ("uid" in user) {
      for (const file of ["postgresql.conf", "pg_hba.conf", "pg_ident.conf"]) await chown(path.join(data, file), user.uid, user.gid);
    }

    const started: ChildProcess = spawn(`${BIN}/postgres`, ["-D", data], { ...user, stdio: ["ignore", "ignore", "pipe"] });
    server = started;
    let log = "";
    started.stderr!.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-8_000)));
    const url = new URL(adminUrl);
    url.port = String(port);
    const query = async <R extends pg.QueryResultRow>(sql: string): Promise<R[]> => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query<R>(sql)).rows;
      } finally {
        await client.end();
      }
    };
    await waitFor(
      async () => {
        if (started.exitCode !== null) throw new Error(`the replica exited (${started.exitCode}):\n${log}`);
        return query<{ standby: boolean }>("SELECT pg_is_in_recovery() AS standby").then(
          ([row]) => row!.standby,
          () => false,
        );
      },
      { describe: () => `the replica to accept connections as a standby:\n${log}` },
    );

    const replayState = async () => (await query<{ state: string }>("SELECT pg_get_wal_replay_pause_state() AS state"))[0]!.state;
    return {
      port,
      urlFor(primaryUrl) {
        const u = new URL(primaryUrl);
        u.hostname = "127.0.0.1";
        u.port = String(port);
        return u.toString();
      },
      async pauseReplay() {
        await query("SELECT pg_wal_replay_pause()");
        await waitFor(async () => (await replayState()) === "paused", { describe: "replay to pause" });
      },
      async resumeReplay() {
        await query("SELECT pg_wal_replay_resume()");
      },
      async caughtUp() {
        const [{ lsn }] = await onPrimary(async (client) => (await client.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn")).rows as [{ lsn: string }]);
        await waitFor(
          async () => (await query<{ done: boolean }>(`SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS done`))[0]!.done,
          { describe: `the replica to replay up to ${lsn}` },
        );
      },
      async close() {
        // SIGINT: fast shutdown (sessions are ended, nothing is waited for).
        started.kill("SIGINT");
        await exitOf(started);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (server && server.exitCode === null) {
      server.kill("SIGINT");
      await exitOf(server);
    }
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
