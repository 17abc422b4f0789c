import type pg from 'pg';
import type { Counters, TakeResult } from '../counters/counters.js';
import { DB_NOW_MS, migrate, openPool, postgresError, schemaIdent, type PostgresConnection } from './postgres-pool.js';

const tables = (s: string): string => `
CREATE TABLE IF NOT EXISTS ${s}.counter_buckets (
  key text PRIMARY KEY,
  tokens double precision NOT NULL,
  at bigint NOT NULL,
  allowed boolean NOT NULL,
  expires bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.counter_members (
  key text NOT NULL,
  member text NOT NULL,
  at bigint NOT NULL,
  expires bigint NOT NULL,
  PRIMARY KEY (key, member)
);
CREATE INDEX IF NOT EXISTS counter_buckets_expires ON ${s}.counter_buckets (expires);
CREATE INDEX IF NOT EXISTS counter_members_expires ON ${s}.counter_members (expires);`;

const SWEEP_MS = 60_000;

/**
 * Counters every node of a PostgreSQL cluster shares: one row per token bucket, updated by a
 * single upsert (the row lock makes take atomic across nodes), times from the database clock.
 */
export class PostgresCounters implements Counters {
  readonly #pool: pg.Pool;
  readonly #s: string;
  readonly #sweeper: NodeJS.Timeout;

  private constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#s = schema;
    this.#sweeper = setInterval(() => void this.#sweep().catch(() => undefined), SWEEP_MS);
    this.#sweeper.unref();
  }

  static async open(connection: PostgresConnection): Promise<PostgresCounters> {
    const schema = schemaIdent(connection.schema);
    const pool = openPool({ ...connection, poolSize: Math.min(connection.poolSize ?? 4, 4) }, () => {
      // A dropped idle connection is replaced on the next query.
    });
    try {
      await migrate(pool, schema, tables(schema));
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw postgresError('counters', connection.url, error);
    }
    return new PostgresCounters(pool, schema);
  }

  async take(key: string, capacity: number, windowMs: number, cost = 1): Promise<TakeResult> {
    const s = this.#s;
    // Parameters: $1 key, $2 capacity, $3 window (ms), $4 cost. `refilled` is the bucket after the
    // time since its last use, capped at the capacity.
    const cap = '$2::double precision';
    const cost_ = '$4::double precision';
    const refilled = `least(${cap}, b.tokens + greatest(0, ${DB_NOW_MS} - b.at) * (${cap} / $3::bigint))`;
    const { rows } = await this.#pool.query<{ tokens: number; allowed: boolean }>(
      `INSERT INTO ${s}.counter_buckets AS b (key, tokens, at, allowed, expires)
       VALUES ($1::text, CASE WHEN ${cap} >= ${cost_} THEN ${cap} - ${cost_} ELSE ${cap} END, ${DB_NOW_MS}, ${cap} >= ${cost_}, ${DB_NOW_MS} + $3::bigint + 1000)
       ON CONFLICT (key) DO UPDATE SET
         tokens = CASE WHEN ${refilled} >= ${cost_} THEN ${refilled} - ${cost_} ELSE ${refilled} END,
         allowed = ${refilled} >= ${cost_},
         at = ${DB_NOW_MS},
         expires = ${DB_NOW_MS} + $3::bigint + 1000
       RETURNING tokens, allowed`,
      [key, capacity, windowMs, cost],
    );
    const row = rows[0]!;
    if (row.allowed) return { allowed: true, retryAfterMs: 0 };
    const rate = capacity / windowMs;
    return { allowed: false, retryAfterMs: Math.ceil((cost - row.tokens) / rate) };
  }

  async distinct(key: string, members: readonly string[], windowMs: number): Promise<number> {
    const s = this.#s;
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`DELETE FROM ${s}.counter_members WHERE key = $1::text AND at <= ${DB_NOW_MS} - $2::bigint`, [key, windowMs]);
      if (members.length) {
        await client.query(
          `INSERT INTO ${s}.counter_members (key, member, at, expires)
           SELECT $1::text, m, ${DB_NOW_MS}, ${DB_NOW_MS} + $2::bigint FROM unnest($3::text[]) AS m
           ON CONFLICT (key, member) DO UPDATE SET at = excluded.at, expires = excluded.expires`,
          [key, windowMs, [...new Set(members)]],
        );
      }
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${s}.counter_members WHERE key = $1`, [key]);
      await client.query('COMMIT');
      return Number(rows[0]!.n);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async #sweep(): Promise<void> {
    await this.#pool.query(`DELETE FROM ${this.#s}.counter_buckets WHERE expires < ${DB_NOW_MS}`);
    await this.#pool.query(`DELETE FROM ${this.#s}.counter_members WHERE expires < ${DB_NOW_MS}`);
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await this.#pool.end();
  }
}
