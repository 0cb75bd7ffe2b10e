import pg from "pg";

/**
 * Each reference service keeps its data in its own schema of the given database,
 * so one PostgreSQL can host all four next to Lavka's own tables.
 */
export async function openSchema(databaseUrl: string, schema: string, ddl: string, max = 10, types?: pg.CustomTypesConfig): Promise<pg.Pool> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    types,
    // Unqualified table names resolve to the service's schema.
    options: `-c search_path=${schema}`,
  });
  pool.on("error", () => {
    // An idle client dropped by the server; the pool replaces it on next use.
  });
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // Two services starting at once against one database would race on CREATE ... IF NOT EXISTS.
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(ddl);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    client.release();
    await pool.end();
    throw err;
  }
  client.release();
  return pool;
}

/** Runs `fn` in a transaction on one pooled connection. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
