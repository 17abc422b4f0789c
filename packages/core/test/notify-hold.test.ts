import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type KernelConfigInput, type Mmsc, type PushRequest, type PushResult } from '@openmmsc/core';
import { buildMessage, startTestMmsc, type TestMmsc, testPlugin, waitFor } from '@openmmsc/testkit';
import { requireSystem, startRedis, type RedisServer } from './helpers/redis.js';

type Mode = 'down' | 'failing' | 'up';

/** A push bearer the test switches between down (unavailable), failing (retry) and up. */
function switchableBearer(holdMs = 60_000) {
  let mode: Mode = 'down';
  const listeners = new Set<() => void>();
  const sent: PushRequest[] = [];
  const calls: Mode[] = [];
  const plugin = testPlugin('switchable-bearer', (ctx) => {
    ctx.provide('PushBearer', {
      name: 'switchable',
      push: async (request): Promise<PushResult> => {
        calls.push(mode);
        if (mode === 'down') return { status: 'unavailable', reason: 'no link bound', retryAfterMs: holdMs };
        if (mode === 'failing') return { status: 'retry', reason: 'SMSC answered ESME_RSYSERR' };
        sent.push(request);
        return { status: 'sent' };
      },
      availability: () => (mode === 'down' ? { available: false, detail: 'no link bound' } : { available: true }),
      onAvailable(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
    return {
      route: (m) => {
        for (const r of m.recipients) m.route(r, { target: 'local' });
      },
    };
  });
  return {
    plugin,
    sent,
    calls,
    set(next: Mode, announce = true) {
      mode = next;
      if (next !== 'down' && announce) for (const l of listeners) l();
    },
  };
}

const UNNOTIFIED = new Set(['received', 'routed', 'charged']);

/** The invariant: a recipient not yet notified always has a notify run scheduled (or running), within its expiry. */
async function assertNoneForgotten(mmsc: Mmsc, messageIds: readonly string[]): Promise<number> {
  let pending = 0;
  for (const id of messageIds) {
    const message = await mmsc.getMessage(id);
    for (const r of await mmsc.getRecipients(id)) {
      if (!UNNOTIFIED.has(r.state)) continue;
      const job = await mmsc.queue.job(`notify:${id}:${r.index}`);
      assert.ok(job, `recipient ${r.index} of ${id} is ${r.state} with no notify job`);
      assert.notEqual(job.state, 'failed', `recipient ${r.index} of ${id}: notify job failed for good (${job.lastError})`);
      // The queue adds the hold to its own clock a moment after the kernel computed it: allow that moment.
      if (job.runAt !== undefined) assert.ok(job.runAt <= message!.expiresAt + 100, 'a notify run is scheduled past expiry');
      pending++;
    }
  }
  return pending;
}

async function metric(mmsc: Mmsc, name: string): Promise<string> {
  return mmsc.registry.getSingleMetricAsString(name);
}

function holdSuite(backend: string, config: () => KernelConfigInput) {
  it(`${backend}: holds notifications while the bearer is down, using no attempt, and sends them when it is back`, async () => {
    const bearer = switchableBearer();
    // Two attempts only: holds that counted would use them up at once.
    const t = await startTestMmsc({
      plugins: [bearer.plugin],
      config: { ...config(), jobs: { notify: { maxAttempts: 2, backoffBase: 50, backoffMax: 200, jitter: 0 } } },
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await t.mmsc.submit({ message: buildMessage({ to: `+1555000${1000 + i}` }), origin: { interface: 'api' } });
        assert.equal(r.status, 'accepted');
        ids.push(r.messageId);
      }
      await waitFor('every notification held', async () => {
        for (const id of ids) if ((await t.mmsc.queue.job(`notify:${id}:0`))?.state !== 'held') return false;
        return true;
      });
      for (const id of ids) assert.equal((await t.mmsc.queue.job(`notify:${id}:0`))?.attempt, 0, 'a hold uses no attempt');
      assert.equal(await assertNoneForgotten(t.mmsc, ids), 5);

      // The node still accepts messages: /ready stays 200 and says notifications cannot go out.
      const ready = await fetch(`${t.mmsc.adminUrl}/ready`);
      assert.equal(ready.status, 200);
      const abilities = ((await ready.json()) as { abilities: Record<string, string> }).abilities;
      assert.equal(abilities.notify, 'no link bound');
      assert.match(abilities.durability ?? '', /store: /, 'the store durability is reported beside it');
      assert.equal(abilities.load, 'ok');
      const notify = await fetch(`${t.mmsc.adminUrl}/ready/notify`);
      assert.equal(notify.status, 503);
      assert.deepEqual(await notify.json(), { status: 'not ready', checks: { notify: 'no link bound' } });
      assert.equal((await fetch(`${t.mmsc.adminUrl}/ready/nonsense`)).status, 404);

      // The backlog is visible.
      await new Promise((r) => setTimeout(r, 300));
      const metrics = await (await fetch(`${t.mmsc.adminUrl}/metrics`)).text();
      assert.match(metrics, /openmmsc_jobs_queued\{kind="notify",state="held"\} 5/);
      const held = /openmmsc_jobs_oldest_held_seconds\{kind="notify"\} ([\d.]+)/.exec(metrics);
      assert.ok(held && Number(held[1]) >= 0.25, `oldest held ${held?.[1]}`);
      assert.match(metrics, /openmmsc_notify_available 0/);
      assert.match(metrics, /openmmsc_jobs_total\{kind="notify",outcome="held"\} [5-9]/);

      // Back up: the bearer's wake-up sends everything now, not at the end of the 60 s hold.
      const back = Date.now();
      bearer.set('up');
      await waitFor('every recipient notified', async () => {
        for (const id of ids) if ((await t.mmsc.getRecipients(id))[0]?.state !== 'notified') return false;
        return true;
      }, { timeoutMs: 5000 });
      assert.ok(Date.now() - back < 5000);
      assert.equal(bearer.sent.length, 5);
      assert.equal((await fetch(`${t.mmsc.adminUrl}/ready/notify`)).status, 200);
      assert.match(await metric(t.mmsc, 'openmmsc_notify_available'), /openmmsc_notify_available 1/);
    } finally {
      await t.stop();
    }
  });
}

describe('notify jobs wait for the push bearer', () => {
  holdSuite('SQLite', () => ({}));

  describe('on Redis', { skip: requireSystem('redis-server') }, () => {
    let redis: RedisServer | undefined;
    before(async () => {
      redis = await startRedis();
    });
    after(async () => {
      await redis?.stop();
    });
    holdSuite('BullMQ', () => {
      if (!redis) throw new Error('redis-server did not start');
      return { store: { type: 'redis', url: redis.url, prefix: `hold-${randomUUID()}` } };
    });
  });

  it('never holds past the message expiry; expiry then settles the recipient', async () => {
    const bearer = switchableBearer();
    const t: TestMmsc = await startTestMmsc({ plugins: [bearer.plugin], config: { expiry: { default: 1500 } } });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550002000' }), origin: { interface: 'api' } });
      const message = await t.mmsc.getMessage(r.messageId);
      const job = await waitFor('held', async () => {
        const j = await t.mmsc.queue.job(`notify:${r.messageId}:0`);
        return j?.state === 'held' ? j : undefined;
      });
      assert.ok(job.runAt! <= message!.expiresAt + 100, `held until ${job.runAt}, expiry ${message!.expiresAt}`);
      await assertNoneForgotten(t.mmsc, [r.messageId]);
      await waitFor('expired', async () => (await t.mmsc.getRecipients(r.messageId))[0]?.state === 'expired', { timeoutMs: 5000 });
      await waitFor('no notify job left', async () => (await t.mmsc.queue.job(`notify:${r.messageId}:0`)) === undefined);
      assert.equal(bearer.sent.length, 0);
    } finally {
      await t.stop();
    }
  });

  it('real failures use the attempt budget, then start over later: never un-notified without a retry', async () => {
    const bearer = switchableBearer();
    bearer.set('failing');
    const t = await startTestMmsc({
      plugins: [bearer.plugin],
      config: { jobs: { notify: { maxAttempts: 2, backoffBase: 20, backoffMax: 400, jitter: 0 } } },
    });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550003000' }), origin: { interface: 'api' } });
      const id = `notify:${r.messageId}:0`;
      await waitFor('two real attempts', () => bearer.calls.length === 2);
      const next = await waitFor('a new round scheduled', async () => {
        const j = await t.mmsc.queue.job(id);
        return j?.state === 'delayed' && j.attempt === 0 ? j : undefined;
      });
      assert.ok(next.runAt! - Date.now() > 200, 'the new round starts after backoffMax');
      assert.match(await metric(t.mmsc, 'openmmsc_jobs_total'), /kind="notify",outcome="failed"\} 1/);
      await assertNoneForgotten(t.mmsc, [r.messageId]);
      bearer.set('up', false);
      await waitFor('notified in the next round', async () => (await t.mmsc.getRecipients(r.messageId))[0]?.state === 'notified', { timeoutMs: 5000 });
      assert.deepEqual(bearer.calls, ['failing', 'failing', 'up']);
    } finally {
      await t.stop();
    }
  });
});
