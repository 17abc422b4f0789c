import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Mmsc, PushRequest } from '@openmmsc/core';
import { buildMessage, routeAllTo, testPlugin, waitFor } from '@openmmsc/testkit';
import { requireSystem, startRedis, type RedisServer } from './helpers/redis.js';
import { startClusterNodes } from './helpers/cluster-nodes.js';

describe('cluster mode: two nodes on one Redis', { skip: requireSystem('redis-server') }, () => {
  let redis: RedisServer;
  const nodes: Mmsc[] = [];
  const pushes: Array<{ node: string; request: PushRequest }> = [];

  const nodePlugins = (node: string) => [
    routeAllTo('local'),
    testPlugin('push', (ctx) => {
      ctx.provide('PushBearer', {
        name: `push-${node}`,
        push: async (request) => {
          pushes.push({ node, request });
          return { status: 'sent' };
        },
      });
    }),
  ];

  before(async () => {
    redis = await startRedis();
    nodes.push(...(await startClusterNodes(['a', 'b'], { type: 'redis', url: redis.url, prefix: 'cluster-test' }, nodePlugins)));
  });

  after(async () => {
    for (const n of nodes) await n.stop();
    await redis?.stop();
  });

  it('any node accepts, any node reads, jobs are shared and each runs once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const node = nodes[i % 2]!;
      const r = await node.submit({ message: buildMessage({ text: `m${i}` }), origin: { interface: 'api' } });
      assert.equal(r.status, 'accepted');
      ids.push(r.messageId);
    }
    for (const id of ids) {
      assert.ok(await nodes[0]!.getMessage(id), 'node a reads every message');
      assert.equal((await nodes[1]!.getParts(id))?.length, 1, 'node b reads every message body');
    }
    await waitFor('all notified', async () => {
      for (const id of ids) if ((await nodes[1]!.getRecipients(id))[0]?.state !== 'notified') return false;
      return true;
    }, { timeoutMs: 20_000, intervalMs: 100 });
    const notified = pushes.map((p) => p.request.notification.messageId);
    assert.deepEqual([...new Set(notified)].sort(), [...ids].sort());
    assert.equal(notified.length, ids.length, 'each notification sent once');
  });
});
