// `npm start` with DATABASE_URL on a fresh server: the database named in the URL usually does not
// exist yet. Create it through the server's `postgres` maintenance database, with the same
// credentials; when that is not allowed, say exactly what to run.
import pg from "pg";

/** SQLSTATE of "database does not exist" and of "database already exists" (a concurrent start). */
const INVALID_CATALOG_NAME = "3D000";
const DUPLICATE_DATABASE = "42P04";

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The URL without its password, for messages. */
function redact(url: URL): string {
  const copy = new URL(url);
  if (copy.password) copy.password = "***";
  return copy.toString();
}

/** Creates the database of `databaseUrl` when it does not exist; says which of the two it found. */
export async function ensureDatabase(databaseUrl: string): Promise<"exists" | "created"> {
  const probe = new pg.Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    return "exists";
  } catch (error) {
    if ((error as { code?: string }).code !== INVALID_CATALOG_NAME) throw error;
  } finally {
    await probe.end().catch(() => undefined);
  }

  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  const maintenance = new URL(target);
  maintenance.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return "created";
  } catch (error) {
    if ((error as { code?: string }).code === DUPLICATE_DATABASE) return "exists";
    const reason = error instanceof Error ? error.message : String(error);
    const user = decodeURIComponent(target.username);
    const create = `CREATE DATABASE ${quoteIdent(name)}${user ? ` OWNER ${quoteIdent(user)}` : ""}`;
    const psql = `psql -h ${target.hostname} -p ${target.port || "5432"} -U postgres -d postgres -c '${create.replaceAll("'", "'\\''")}'`;
    throw new Error(
      `database "${name}" does not exist, and creating it through ${redact(maintenance)} failed: ${reason}.\n` +
        `Create it as a PostgreSQL superuser, then start again:\n  ${psql}`,
    );
  } finally {
    await admin.end().catch(() => undefined);
  }
}
