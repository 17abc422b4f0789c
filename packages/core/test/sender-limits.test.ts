import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KernelConfigInput, MmsPart } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, requireSystem, routeAllTo, startPostgres, startRedis, startTestMmsc, whileRunning } from '@openmmsc/testkit';
import { startClusterNodes } from './helpers/cluster-nodes.js';

const routeLocal = routeAllTo('local');

const blob = (bytes: number): MmsPart => ({ contentType: { type: 'application/octet-stream', params: {} }, data: Buffer.alloc(bytes, 1) });

async function withNode(config: KernelConfigInput, fn: (submit: (from: string, opts?: { bytes?: number; iface?: string; peer?: string }) => ReturnType<import('@openmmsc/core').Mmsc['submit']>) => Promise<void>): Promise<void> {
  const t = await startTestMmsc({ config: { shutdown: { retrievalGrace: 0 }, ...config }, plugins: [routeLocal, recordingPushBearer().plugin] });
  try {
    await fn((from, opts = {}) =>
      t.mmsc.submit({
        message: buildMessage({ from, ...(opts.bytes ? { parts: [blob(opts.bytes)] } : {}) }),
        origin: { interface: opts.iface ?? 'mm1', ...(opts.peer ? { peer: opts.peer } : {}) },
      }),
    );
  } finally {
    await t.stop();
  }
}

describe('per-sender and per-peer limits (kernel receive stage, on by default)', () => {
  it('are on without any plugin configured', async () => {
    const t = await startTestMmsc({ plugins: [] });
    try {
      const { senders, peers } = t.mmsc.config.limits;
      assert.equal(senders.enabled, true);
      assert.equal(peers.enabled, true);
      assert.deepEqual(senders.interfaces, ['mm1', 'mm3', 'mm4']);
    } finally {
      await t.stop();
    }
  });

  it('refuses a sender over its message count for now, with the time until it has room', async () => {
    await withNode({ limits: { senders: { messages: 3, window: '1h' } } }, async (submit) => {
      for (let i = 0; i < 3; i++) assert.equal((await submit('+15550000001')).status, 'accepted');
      const over = await submit('+15550000001');
      assert.equal(over.status, 'deferred');
      assert.equal(over.reason.code, 'limit-exceeded');
      assert.match(over.reason.message, /sender \+15550000001 sent more than 3 messages in 1 h/);
      // One message's worth of the window: 20 minutes.
      assert.ok(over.status === 'deferred' && over.retryAfterMs! > 19 * 60_000 && over.retryAfterMs! <= 20 * 60_000, String(over.status === 'deferred' && over.retryAfterMs));
      assert.equal((await submit('+15550000009')).status, 'accepted', 'another sender is not affected');
      // Interfaces not listed are not counted (a VASP's short code sends in bulk, counted per peer).
      assert.equal((await submit('+15550000001', { iface: 'mm7' })).status, 'accepted');
    });
  });

  it('refuses a sender over its volume, and a message larger than the whole allowance outright', async () => {
    await withNode({ limits: { senders: { messages: 100, bytes: '100KB' } } }, async (submit) => {
      assert.equal((await submit('+15550000002', { bytes: 60_000 })).status, 'accepted');
      const over = await submit('+15550000002', { bytes: 60_000 });
      assert.equal(over.status, 'deferred');
      assert.match(over.reason.message, /sent more than 102400 bytes in 1 h/);
      const huge = await submit('+15550000003', { bytes: 200_000 });
      assert.equal(huge.status, 'rejected');
      assert.equal(huge.reason.code, 'limit-exceeded');
    });
  });

  it('counts per peer account (a VASP, an MM4 peer)', async () => {
    await withNode({ limits: { peers: { messages: 2 } } }, async (submit) => {
      assert.equal((await submit('1234', { iface: 'mm7', peer: 'vasp-a' })).status, 'accepted');
      assert.equal((await submit('1235', { iface: 'mm7', peer: 'vasp-a' })).status, 'accepted');
      const over = await submit('1236', { iface: 'mm7', peer: 'vasp-a' });
      assert.equal(over.status, 'deferred');
      assert.match(over.reason.message, /mm7 peer vasp-a sent more than 2 messages/);
      assert.equal((await submit('1237', { iface: 'mm7', peer: 'vasp-b' })).status, 'accepted');
    });
  });

  /** Two nodes on one shared store: a sender's fourth message over a limit of 3 is refused, whichever node takes it. */
  async function sharedAcrossNodes(store: KernelConfigInput['store']): Promise<void> {
    const nodes = await startClusterNodes(['a', 'b'], store, () => [routeLocal, recordingPushBearer().plugin], {
      shutdown: { retrievalGrace: 0 },
      limits: { senders: { messages: 3 } },
    });
    try {
      const send = (i: number) => nodes[i % 2]!.submit({ message: buildMessage({ from: '+15550000004' }), origin: { interface: 'mm1' } });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await send(i)).status);
      assert.deepEqual(statuses, ['accepted', 'accepted', 'accepted', 'deferred']);
    } finally {
      for (const n of nodes) await n.stop();
    }
  }

  it('holds across a cluster: the count is shared through Redis', { skip: requireSystem('redis-server') }, () =>
    whileRunning(startRedis(), (redis) => sharedAcrossNodes({ type: 'redis', url: redis.url, prefix: 'limits-test' })));

  it('holds across a cluster: the count is shared through PostgreSQL', { skip: requireSystem('postgresql') }, () =>
    whileRunning(startPostgres(), (pg) => sharedAcrossNodes({ type: 'postgres', url: pg.url, schema: 'limits_test' })));
});
