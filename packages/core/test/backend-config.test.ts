import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, resolveConfig } from '@openmmsc/core';

async function problems(store: unknown): Promise<string[]> {
  try {
    await resolveConfig({ store });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

describe('store and queue backends in config', () => {
  it('takes a Redis server, a Sentinel-monitored master or a Redis Cluster, one at a time', async () => {
    const { kernel } = await resolveConfig({
      store: { type: 'redis', sentinels: [{ host: '10.0.0.1', port: '26379' }], name: 'mymaster', password: 'x', durability: 'everysec', lease: '2s' },
    });
    assert.deepEqual(kernel.store, {
      type: 'redis',
      sentinels: [{ host: '10.0.0.1', port: 26379 }],
      name: 'mymaster',
      password: 'x',
      prefix: 'openmmsc',
      durability: 'everysec',
      lease: '2s',
    });
    assert.deepEqual(await problems({ type: 'redis', cluster: [{ host: 'r1', port: 7000 }] }), []);
    assert.deepEqual(await problems({ type: 'redis' }), ['store.url: required: give url, sentinels or cluster']);
    assert.deepEqual(await problems({ type: 'redis', url: 'redis://a:6379', cluster: [{ host: 'r1', port: 7000 }] }), [
      'store.url: give one of url, sentinels, cluster (not url and cluster)',
    ]);
    assert.deepEqual(await problems({ type: 'redis', sentinels: [{ host: 's', port: 26379 }] }), ['store.name: required with sentinels: the master name they monitor']);
    assert.ok((await problems({ type: 'redis', url: 'redis://a:6379', durability: 'sometimes' }))[0]?.startsWith('store.durability:'));
  });

  it('takes PostgreSQL with a schema name safe to use in SQL', async () => {
    const { kernel } = await resolveConfig({ store: { type: 'postgres', url: 'postgres://mmsc@db:5432/mmsc' } });
    assert.deepEqual(kernel.store, { type: 'postgres', url: 'postgres://mmsc@db:5432/mmsc', schema: 'openmmsc', poolSize: 10 });
    assert.match((await problems({ type: 'postgres', url: 'postgres://db/mmsc', schema: 'Bad-Name; DROP' }))[0] ?? '', /^store\.schema: lower-case letters/);
    assert.match((await problems({ type: 'postgres', url: 'postgres://db/mmsc', lease: '3 fortnights' }))[0] ?? '', /^store\.lease: a duration/);
  });

  it('lets the queue follow a server store, or live elsewhere', async () => {
    const { kernel } = await resolveConfig({
      store: { type: 'postgres', url: 'postgres://db/mmsc' },
      queue: { type: 'redis', url: 'redis://q:6379', prefix: 'jobs' },
    });
    assert.equal(kernel.queue?.type, 'redis');
  });
});
