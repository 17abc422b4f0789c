import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisCli, requireSystem, startRedis } from '@openmmsc/testkit';
import { createJobQueue } from '../src/queue/create-job-queue.js';

/** Calls of each command since the last CONFIG RESETSTAT, as Redis itself counts them (Lua's included). */
async function commandCalls(port: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of await redisCli(port, 'INFO', 'commandstats')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/**
 * Every message enqueues jobs and, once final, cancels several that mostly no longer exist. Those
 * must not scan BullMQ's wait and active lists (LPOS, as long as the backlog): with a backlog,
 * each would cost Redis time in proportion to it, on every message.
 */
describe('BullMQ queue: enqueue and cancel do not scan the backlog', { skip: requireSystem('redis-server') }, () => {
  it('a new job and the cancel of an absent one run no LPOS, with 500 jobs waiting', async () => {
    const redis = await startRedis();
    const queue = await createJobQueue({ type: 'redis', url: redis.url, prefix: 'scan' });
    try {
      const spec = (id: string) => ({ kind: 'notify', id, data: {}, maxAttempts: 3, backoff: { base: 100, max: 1000 } }) as const;
      for (let i = 0; i < 500; i++) await queue.enqueue(spec(`backlog-${i}`));
      await redisCli(redis.port, 'CONFIG', 'RESETSTAT');

      await queue.enqueue(spec('new'));
      assert.equal(await queue.cancel('gone'), false, 'nothing to cancel');
      const calls = await commandCalls(redis.port);
      assert.equal(calls.get('lpos') ?? 0, 0, `LPOS calls: ${calls.get('lpos')}`);

      // The shortcut must not lose a cancel: a waiting job is still found and removed.
      assert.equal(await queue.cancel('new'), true);
      assert.equal(await queue.cancel('new'), false);
      assert.equal((await queue.counts()).waiting, 500);
    } finally {
      await queue.close(0);
      await redis.stop();
    }
  });

  it('a cancel that names its kind asks that kind\'s queue only; a wrong kind finds nothing', async () => {
    const redis = await startRedis();
    const queue = await createJobQueue({ type: 'redis', url: redis.url, prefix: 'kinds' });
    try {
      const spec = (kind: 'notify' | 'deliver' | 'report' | 'expire', id: string) => ({ kind, id, data: {}, maxAttempts: 3, backoff: { base: 100, max: 1000 } });
      for (const kind of ['notify', 'deliver', 'report', 'expire'] as const) await queue.enqueue(spec(kind, `${kind}-1`));
      await redisCli(redis.port, 'CONFIG', 'RESETSTAT');
      // A message's final move cancels four jobs that have mostly run already.
      assert.equal(await queue.cancel('notify-gone', 'notify'), false);
      assert.equal((await commandCalls(redis.port)).get('hexists'), 1, 'one queue asked');
      await redisCli(redis.port, 'CONFIG', 'RESETSTAT');
      assert.equal(await queue.cancel('notify-gone'), false);
      assert.equal((await commandCalls(redis.port)).get('hexists'), 4, 'without the kind, each queue in turn');

      assert.equal(await queue.cancel('expire-1', 'notify'), false, 'not a notify job');
      assert.equal(await queue.cancel('expire-1', 'expire'), true);
      assert.equal(await queue.cancel('deliver-1'), true, 'found without the kind too');
      assert.equal((await queue.counts()).waiting, 2);
    } finally {
      await queue.close(0);
      await redis.stop();
    }
  });
});
