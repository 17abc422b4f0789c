import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireSystem, startPostgres, startRedis, type PostgresServer, type RedisServer } from '@openmmsc/testkit';
import { MemoryCounters, RedisCounters, type Counters } from '../src/counters/counters.js';
import { PostgresCounters } from '../src/postgres/postgres-counters.js';

/** The same behaviour from every backend: what the per-sender limits and anti-spam rely on. */
function contract(open: () => Promise<Counters>): void {
  let counters: Counters;
  let n = 0;
  const key = () => `k${process.pid}-${Date.now()}-${n++}`;
  before(async () => (counters = await open()));
  after(async () => counters.close());

  it('a bucket gives its capacity, then refuses with the wait until a token is back', async () => {
    const k = key();
    for (let i = 0; i < 3; i++) assert.deepEqual(await counters.take(k, 3, 60_000), { allowed: true, retryAfterMs: 0 });
    const refused = await counters.take(k, 3, 60_000);
    assert.equal(refused.allowed, false);
    // One token per 20 s: the wait is at most that (less the time since the last take).
    assert.ok(refused.retryAfterMs > 15_000 && refused.retryAfterMs <= 20_000, String(refused.retryAfterMs));
  });

  it('a cost larger than what is left is refused without taking anything', async () => {
    const k = key();
    assert.equal((await counters.take(k, 10, 60_000, 8)).allowed, true);
    assert.equal((await counters.take(k, 10, 60_000, 5)).allowed, false);
    assert.equal((await counters.take(k, 10, 60_000, 2)).allowed, true, 'the refused take left the 2 tokens');
  });

  it('refills with time', async () => {
    const k = key();
    assert.equal((await counters.take(k, 2, 400)).allowed, true);
    assert.equal((await counters.take(k, 2, 400)).allowed, true);
    assert.equal((await counters.take(k, 2, 400)).allowed, false);
    await sleep(450);
    assert.equal((await counters.take(k, 2, 400)).allowed, true);
  });

  it('concurrent takes never give more than the capacity', async () => {
    const k = key();
    const results = await Promise.all(Array.from({ length: 40 }, () => counters.take(k, 25, 60_000)));
    assert.equal(results.filter((r) => r.allowed).length, 25);
  });

  it('counts distinct members in a sliding window', async () => {
    const k = key();
    assert.equal(await counters.distinct(k, ['a', 'b'], 60_000), 2);
    assert.equal(await counters.distinct(k, ['b', 'c', 'c'], 60_000), 3);
    const short = key();
    await counters.distinct(short, ['x'], 200);
    await sleep(300);
    assert.equal(await counters.distinct(short, ['y'], 200), 1, 'x left the window');
  });
}

describe('counters in process', () => contract(async () => new MemoryCounters()));

describe('counters on Redis', { skip: requireSystem('redis-server') }, () => {
  let redis: RedisServer;
  before(async () => (redis = await startRedis()));
  after(async () => redis?.stop());
  contract(async () => new RedisCounters({ url: redis.url }, 'test:'));
});

describe('counters on PostgreSQL', { skip: requireSystem('postgresql') }, () => {
  let pg: PostgresServer;
  before(async () => (pg = await startPostgres()));
  after(async () => pg?.stop());
  contract(async () => PostgresCounters.open({ url: pg.url, schema: 'counters_test' }));
});
