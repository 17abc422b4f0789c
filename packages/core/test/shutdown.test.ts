import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KernelConfigInput, Mmsc } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, recordingReportSender, startTestMmsc, testPlugin, waitFor } from '@openmmsc/testkit';
import { requireSystem, startRedis } from './helpers/redis.js';
import { startClusterNodes } from './helpers/cluster-nodes.js';

/** Routes every recipient to local handsets and records the lifecycle hooks it sees. */
function lifecyclePlugin(events: string[]) {
  return testPlugin('lifecycle-recorder', () => ({
    route(m) {
      for (const r of m.recipients) m.route(r, { target: 'local' });
    },
    stop: () => void events.push('stop'),
    close: () => void events.push('close'),
  }));
}

async function notifiedNode(config: KernelConfigInput) {
  const events: string[] = [];
  const push = recordingPushBearer();
  const reports = recordingReportSender('api');
  const t = await startTestMmsc({ plugins: [lifecyclePlugin(events), push.plugin, reports.plugin], config });
  const sent = await t.mmsc.submit({ message: buildMessage({ deliveryReport: true }), origin: { interface: 'api' } });
  assert.equal(sent.status, 'accepted');
  await waitFor('notified', async () => (await t.mmsc.getRecipients(sent.messageId))[0]?.state === 'notified');
  return { t, events, messageId: sent.messageId };
}

describe('graceful stop: notified handsets may still fetch', () => {
  it('waits after the jobs until the handset this node notified has fetched and acknowledged, then closes', async () => {
    const { t, events, messageId } = await notifiedNode({ shutdown: { graceMs: '10s', retrievalGrace: '10s' } });
    const admin = t.mmsc.adminUrl!;
    let stopped = false;
    const stopping = t.mmsc.stop().then(() => (stopped = true));
    await waitFor('stop hook', () => events.includes('stop'));
    assert.equal((await fetch(`${admin}/ready`)).status, 503);
    await sleep(300);
    assert.equal(stopped, false, 'stop must wait for the notified handset');
    assert.deepEqual(events, ['stop'], 'close runs only after the handset fetched');
    // The interface serving the fetch (on this node or another) moves the recipient; the
    // delivery report it triggers is queued while the node drains.
    await t.mmsc.transition(messageId, 0, 'retrieved', { by: 'handset' });
    await sleep(250);
    assert.equal(stopped, false, 'fetched but not acknowledged yet');
    await t.mmsc.transition(messageId, 0, 'delivered', { by: 'handset' });
    const began = Date.now();
    await stopping;
    assert.ok(Date.now() - began < 2000, 'stop ends soon after the acknowledgement');
    assert.deepEqual(events, ['stop', 'close']);
    await t.stop();
  });

  it('gives up after shutdown.retrievalGrace when the handset does not come', async () => {
    const { t, events } = await notifiedNode({ shutdown: { graceMs: '10s', retrievalGrace: 400 } });
    const began = Date.now();
    await t.mmsc.stop();
    const took = Date.now() - began;
    assert.ok(took >= 350, `waited ${took} ms`);
    assert.ok(took < 3000, `waited ${took} ms`);
    assert.deepEqual(events, ['stop', 'close']);
    await t.stop();
  });

  it('never waits past shutdown.graceMs', async () => {
    const { t } = await notifiedNode({ shutdown: { graceMs: 400, retrievalGrace: '30s' } });
    const began = Date.now();
    await t.mmsc.stop();
    const took = Date.now() - began;
    assert.ok(took < 3000, `waited ${took} ms`);
    await t.stop();
  });

  it('does not wait for handsets notified longer than retrievalGrace ago', async () => {
    const { t } = await notifiedNode({ shutdown: { graceMs: '10s', retrievalGrace: 300 } });
    await sleep(400);
    const began = Date.now();
    await t.mmsc.stop();
    assert.ok(Date.now() - began < 250, 'nothing recent to wait for');
    await t.stop();
  });
});

describe('graceful stop in a cluster: a fetch served by another node counts', { skip: requireSystem('redis-server') }, () => {
  it('the stopping node sees, through the shared store, that its handset fetched from the other node', async () => {
    const redis = await startRedis();
    const nodes = new Map<string, Mmsc>();
    const pushedBy: string[] = [];
    const pushFrom = (node: string) =>
      testPlugin('push', (ctx) => {
        ctx.provide('PushBearer', { name: `push-${node}`, push: async () => (pushedBy.push(node), { status: 'sent' }) });
      });
    try {
      const ids = ['a', 'b'];
      const started = await startClusterNodes(ids, { type: 'redis', url: redis.url, prefix: 'shutdown-test' }, (node) => [lifecyclePlugin([]), pushFrom(node)], {
        shutdown: { graceMs: '20s', retrievalGrace: '15s' },
      });
      ids.forEach((id, i) => nodes.set(id, started[i]!));
      const sent = await nodes.get('a')!.submit({ message: buildMessage(), origin: { interface: 'api' } });
      await waitFor('notified', async () => (await nodes.get('a')!.getRecipients(sent.messageId))[0]?.state === 'notified');
      const notifier = nodes.get(pushedBy[0]!)!;
      const other = nodes.get(pushedBy[0] === 'a' ? 'b' : 'a')!;
      let stopped = false;
      const stopping = notifier.stop().then(() => (stopped = true));
      await sleep(400);
      assert.equal(stopped, false, 'waiting for the handset');
      // The handset's fetch and acknowledgement land on the other node.
      await other.transition(sent.messageId, 0, 'retrieved', { by: 'handset' });
      await other.transition(sent.messageId, 0, 'delivered', { by: 'handset' });
      const began = Date.now();
      await stopping;
      assert.ok(Date.now() - began < 3000, `ended ${Date.now() - began} ms after the fetch elsewhere (grace 15 s)`);
    } finally {
      for (const n of nodes.values()) await n.stop();
      await redis.stop();
    }
  });
});
