import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redisCli, requireSystem, startRedis, type RedisServer } from '@openmmsc/testkit';
import { createRedisClient } from '../src/redis/redis-connection.js';
import { RedisKeyvAdapter } from '../src/redis/redis-keyv.js';
import { decodeValue, encodeValue } from '../src/store/value-codec.js';

/**
 * GETs the clients sent since the last CONFIG RESETSTAT. Redis counts the script's own GET with
 * them (one per run of the compare-and-set), so those are taken off.
 */
async function gets(port: number): Promise<number> {
  const calls = new Map<string, number>();
  for (const line of await redisCli(port, 'INFO', 'commandstats')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m) calls.set(m[1]!, Number(m[2]));
  }
  return (calls.get('get') ?? 0) - (calls.get('evalsha') ?? 0) - (calls.get('eval') ?? 0);
}

const text = (value: number) => encodeValue({ value });

// Two adapters on one Redis stand for two nodes of a cluster; a third client for anyone else.
describe('Redis compare-and-set from the text last seen', { skip: requireSystem('redis-server') }, () => {
  let redis: RedisServer;
  let port: number;
  let nodeA: RedisKeyvAdapter;
  let nodeB: RedisKeyvAdapter;
  let other: ReturnType<typeof createRedisClient>;
  before(async () => {
    redis = await startRedis();
    port = Number(new URL(redis.url).port);
    nodeA = new RedisKeyvAdapter(createRedisClient({ url: redis.url }), 'cas');
    nodeB = new RedisKeyvAdapter(createRedisClient({ url: redis.url }), 'cas');
    other = createRedisClient({ url: redis.url });
  });
  after(async () => {
    await nodeA.disconnect();
    await nodeB.disconnect();
    other.disconnect();
    await redis.stop();
  });

  it('a move right after a read or a move on this node reads nothing again', async () => {
    await nodeA.set('r1', text(1));
    assert.equal(decodeValue<{ value: number }>((await nodeA.get('r1')) as string).value, 1);
    await redisCli(port, 'CONFIG', 'RESETSTAT');
    assert.equal(await nodeA.atomic.modify<number>('r1', (n) => n! + 1), 2);
    assert.equal(await nodeA.atomic.modify<number>('r1', (n) => n! + 1), 3);
    assert.equal(await gets(port), 0, 'both started from the text this node had');
    assert.equal(decodeValue<{ value: number }>((await other.get('cas:r1'))!).value, 3);
  });

  it('a guess made stale by another writer is caught by the script, and the value read again', async () => {
    await nodeA.set('r2', text(1));
    await nodeA.get('r2');
    await other.set('cas:r2', text(10));
    await redisCli(port, 'CONFIG', 'RESETSTAT');
    assert.equal(await nodeA.atomic.modify<number>('r2', (n) => n! + 1), 11, 'applied to what the key holds, not to the guess');
    assert.equal(await gets(port), 1);
  });

  it('an update that refuses the older value it was guessed is tried on the current one', async () => {
    await nodeA.set('r3', text(1));
    await nodeA.get('r3');
    await other.set('cas:r3', text(2));
    const seen: number[] = [];
    const result = await nodeA.atomic.modify<number>('r3', (n) => {
      seen.push(n!);
      if (n === 1) throw new Error('no move from 1');
      return n! * 10;
    });
    assert.equal(result, 20);
    assert.deepEqual(seen, [1, 2]);
    // Refused on the current value too: the refusal is the answer.
    await assert.rejects(nodeA.atomic.modify<number>('r3', () => { throw new Error('refused'); }), /refused/);
  });

  it('two nodes updating one record, each from what it last saw, lose no update', async () => {
    await nodeA.set('r4', text(0));
    await Promise.all([nodeA.get('r4'), nodeB.get('r4')]);
    const add = (node: RedisKeyvAdapter) => async () => {
      for (let i = 0; i < 50; i++) await node.atomic.modify<number>('r4', (n) => n! + 1);
    };
    await Promise.all([add(nodeA)(), add(nodeB)()]);
    assert.equal(decodeValue<{ value: number }>((await other.get('cas:r4'))!).value, 100);
  });

  it('a deleted record is not guessed back', async () => {
    await nodeA.set('r5', text(7));
    await nodeA.get('r5');
    await nodeA.delete('r5');
    assert.equal(await nodeA.atomic.modify<number>('r5', (n) => (n === undefined ? 1 : n + 1)), 1);
  });
});
