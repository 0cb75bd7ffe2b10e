// `npm start` with DATABASE_URL naming a database that does not exist yet (a fresh machine).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { adminQuery, CLONE_PREFIX, databaseUrl, quoteIdent } from "../../tests/helpers/postgres.ts";
import { ensureDatabase } from "./ensure-database.ts";

/** A name no database has; the clone prefix lets the test run's sweep drop it if this run dies. */
const freshName = () => `${CLONE_PREFIX}${Math.floor(Date.now() / 1000)}_new_${randomBytes(4).toString("hex")}`;
const created: string[] = [];
const roles: string[] = [];

afterAll(async () => {
  for (const name of created) await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  for (const role of roles) await adminQuery(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
});

describe("ensureDatabase", () => {
  it("creates a missing database, then finds it", async () => {
    const name = freshName();
    created.push(name);
    const url = databaseUrl(name);
    expect(await ensureDatabase(url)).toBe("created");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    expect((await client.query<{ db: string }>("SELECT current_database() AS db")).rows[0]!.db).toBe(name);
    await client.end();
    expect(await ensureDatabase(url)).toBe("exists");
  });

  it("when the user may not create databases, says exactly what to run", async () => {
    const role = `lavka_nocreatedb_${randomBytes(4).toString("hex")}`;
    roles.push(role);
    await adminQuery(`CREATE ROLE ${quoteIdent(role)} LOGIN NOCREATEDB`);
    const name = freshName();
    const url = new URL(databaseUrl(name));
    url.username = role;
    const error = await ensureDatabase(url.toString()).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain(`database "${name}" does not exist`);
    expect(error?.message).toContain("permission denied to create database");
    expect(error?.message).toContain(`psql -h ${url.hostname} -p ${url.port} -U postgres -d postgres -c 'CREATE DATABASE "${name}" OWNER "${role}"'`);
    expect(await adminQuery("SELECT 1 FROM pg_database WHERE datname = $1", [name])).toEqual([]);
  });

  it("leaves other connection failures as they are", async () => {
    await expect(ensureDatabase("postgresql://postgres@127.0.0.1:1/lavka")).rejects.toThrow(/ECONNREFUSED/);
  });
});
