import { after, before, describe } from 'node:test';
import pg from 'pg';
import { requireSystem, startPostgres, type PostgresServer } from '@openmmsc/testkit';
import { PostgresKeyvAdapter } from '../src/postgres/postgres-keyv.js';
import { decodeValue } from '../src/store/value-codec.js';
import { casText, lastSeenCasContract, type CasBackend } from './contract/last-seen-cas.contract.js';

const SCHEMA = 'cas_guess';

/** A pool that notes every statement the adapter sends through it. */
function countedPool(url: string, sent: string[]): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const query = pool.query.bind(pool) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
  pool.query = ((statement: string, values?: unknown[]) => {
    sent.push(statement);
    return query(statement, values);
  }) as typeof pool.query;
  return pool;
}

// Two adapters on one server stand for two nodes of a cluster; a plain client for anyone else.
describe('PostgreSQL compare-and-set from the text last seen', { skip: requireSystem('postgresql') }, () => {
  let server: PostgresServer;
  let backend: CasBackend;
  let close = async (): Promise<void> => {};
  before(async () => {
    server = await startPostgres();
    const sent: string[] = [];
    const poolA = countedPool(server.url, sent);
    const poolB = new pg.Pool({ connectionString: server.url, max: 4 });
    const nodeA = await PostgresKeyvAdapter.open(poolA, SCHEMA);
    const nodeB = await PostgresKeyvAdapter.open(poolB, SCHEMA);
    const other = new pg.Client({ connectionString: server.url });
    await other.connect();
    close = async () => {
      await other.end();
      await nodeA.disconnect();
      await nodeB.disconnect();
      await poolA.end();
      await poolB.end();
    };
    backend = {
      nodeA,
      nodeB,
      overwrite: async (key, value) => {
        await other.query(`UPDATE ${SCHEMA}.kv SET value = $2 WHERE key = $1`, [key, casText(value)]);
      },
      stored: async (key) => decodeValue<{ value: number }>((await other.query<{ value: string }>(`SELECT value FROM ${SCHEMA}.kv WHERE key = $1`, [key])).rows[0]!.value).value,
      // Statements node A's adapter sent that read one key.
      reads: async () => sent.filter((s) => /^\s*SELECT value FROM/.test(s)).length,
      resetReads: async () => {
        sent.length = 0;
      },
    };
  });
  after(async () => {
    await close();
    await server?.stop();
  });

  lastSeenCasContract(() => backend);
});
