import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { requireSystem, startPostgres, type PostgresServer } from '@openmmsc/testkit';
import { PostgresKeyvAdapter } from '../src/postgres/postgres-keyv.js';
import { decodeValue, encodeValue } from '../src/store/value-codec.js';

const SCHEMA = 'cas_guess';
const text = (value: number) => encodeValue({ value });

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
  let sent: string[];
  let poolA: pg.Pool;
  let poolB: pg.Pool;
  let nodeA: PostgresKeyvAdapter;
  let nodeB: PostgresKeyvAdapter;
  let other: pg.Client;
  const reads = () => sent.filter((s) => /^\s*SELECT value FROM/.test(s)).length;
  const stored = async (key: string) => decodeValue<{ value: number }>((await other.query<{ value: string }>(`SELECT value FROM ${SCHEMA}.kv WHERE key = $1`, [key])).rows[0]!.value).value;
  const overwrite = (key: string, value: number) => other.query(`UPDATE ${SCHEMA}.kv SET value = $2 WHERE key = $1`, [key, text(value)]);

  before(async () => {
    server = await startPostgres();
    sent = [];
    poolA = countedPool(server.url, sent);
    poolB = countedPool(server.url, []);
    nodeA = await PostgresKeyvAdapter.open(poolA, SCHEMA);
    nodeB = await PostgresKeyvAdapter.open(poolB, SCHEMA);
    other = new pg.Client({ connectionString: server.url });
    await other.connect();
  });
  after(async () => {
    await other?.end();
    await nodeA?.disconnect();
    await nodeB?.disconnect();
    await poolA?.end();
    await poolB?.end();
    await server?.stop();
  });
  beforeEach(() => {
    sent.length = 0;
  });

  it('a move right after a read or a move on this node reads nothing again', async () => {
    await nodeA.set('r1', text(1));
    assert.equal(decodeValue<{ value: number }>((await nodeA.get('r1')) as string).value, 1);
    sent.length = 0;
    assert.equal(await nodeA.atomic.modify<number>('r1', (n) => n! + 1), 2);
    assert.equal(await nodeA.atomic.modify<number>('r1', (n) => n! + 1), 3);
    assert.equal(reads(), 0, `both started from the text this node had: ${sent.join(' | ')}`);
    assert.equal(sent.length, 2, 'one UPDATE each');
    assert.equal(await stored('r1'), 3);
  });

  it('a guess made stale by another writer is caught by the UPDATE, and the value read again', async () => {
    await nodeA.set('r2', text(1));
    await nodeA.get('r2');
    await overwrite('r2', 10);
    sent.length = 0;
    assert.equal(await nodeA.atomic.modify<number>('r2', (n) => n! + 1), 11, 'applied to what the row holds, not to the guess');
    assert.equal(reads(), 1);
    assert.equal(await stored('r2'), 11);
  });

  it('an update that refuses the older value it was guessed is tried on the current one', async () => {
    await nodeA.set('r3', text(1));
    await nodeA.get('r3');
    await overwrite('r3', 2);
    const seen: number[] = [];
    const result = await nodeA.atomic.modify<number>('r3', (n) => {
      seen.push(n!);
      if (n === 1) throw new Error('no move from 1');
      return n! * 10;
    });
    assert.equal(result, 20);
    assert.deepEqual(seen, [1, 2]);
    // Refused on the current value too: the refusal is the answer.
    await assert.rejects(
      nodeA.atomic.modify<number>('r3', () => {
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.equal(await stored('r3'), 20);
  });

  it('two nodes updating one record, each from what it last saw, lose no update', async () => {
    await nodeA.set('r4', text(0));
    await Promise.all([nodeA.get('r4'), nodeB.get('r4')]);
    const add = (node: PostgresKeyvAdapter) => async () => {
      for (let i = 0; i < 50; i++) await node.atomic.modify<number>('r4', (n) => n! + 1);
    };
    await Promise.all([add(nodeA)(), add(nodeB)()]);
    assert.equal(await stored('r4'), 100);
  });

  it('a record written or deleted is not guessed from before', async () => {
    await nodeA.set('r5', text(7));
    await nodeA.get('r5');
    await nodeA.delete('r5');
    assert.equal(await nodeA.atomic.modify<number>('r5', (n) => (n === undefined ? 1 : n + 1)), 1);
    await nodeA.get('r5');
    await nodeA.set('r5', text(40));
    sent.length = 0;
    assert.equal(await nodeA.atomic.modify<number>('r5', (n) => n! + 2), 42);
    assert.equal(reads(), 1, 'the write made the text last seen unknown: read before the update');
  });
});
