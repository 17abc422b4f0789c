import pg from 'pg';

export interface PostgresConnection {
  url: string;
  /** Schema holding OpenMMSC's tables (created if missing). */
  schema: string;
  /** Most connections this node opens. */
  poolSize?: number;
}

/** A schema name used in SQL as is: refuses anything that would need quoting. */
export function schemaIdent(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,47}$/.test(schema)) throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
  return schema;
}

/** A pool whose idle connections may die (database restart) without taking the process down. */
export function openPool(connection: PostgresConnection, onError: (error: unknown) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: connection.url,
    max: connection.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'openmmsc',
  });
  pool.on('error', onError);
  return pool;
}

/**
 * Runs DDL once across nodes starting together: `CREATE … IF NOT EXISTS` alone races on
 * PostgreSQL's catalogs, so the migration takes a transaction-scoped advisory lock first.
 */
export async function migrate(pool: pg.Pool, schema: string, statements: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`openmmsc-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schemaIdent(schema)}`);
    await client.query(statements);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The database server's clock in epoch ms: one clock for leases, whatever the nodes' clocks say. */
export const DB_NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** An error at start that says which server could not be used, without its password. */
export function postgresError(what: string, url: string, error: unknown): Error {
  let where = 'PostgreSQL';
  try {
    const u = new URL(url);
    where = `PostgreSQL ${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    // Keep the generic name.
  }
  return new Error(`${what}: cannot use ${where}: ${(error as Error).message}`, { cause: error });
}
