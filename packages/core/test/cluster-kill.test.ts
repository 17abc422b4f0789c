import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createMmsc, type KernelConfigInput } from '@openmmsc/core';
import {requireSystem, startPostgres, startRedis, waitFor } from '@openmmsc/testkit';
import { crashSetup } from './fixtures/crash-plugins.js';
import { startBurstChild, waitUntilNotified } from './helpers/burst-child.js';

/**
 * Two nodes on one shared store: node A (a child process) takes submissions, node B (here)
 * serves every message A acknowledged while A is still working, then A is killed with SIGKILL
 * mid-burst. B must have every acknowledged message and notify every recipient, taking over
 * the jobs A had claimed once A's lease runs out.
 */
async function twoNodesKillOne(t: TestContext, label: string, store: KernelConfigInput['store']): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-cluster-kill-'));
  // Pushes slower than submissions: node A holds claimed notify jobs when it dies.
  const a = startBurstChild(dir, store, 120);
  try {
    await waitFor('node A accepting', () => a.acks.length >= 20, { timeoutMs: 60_000 });
    const { plugins, config } = crashSetup(dir, store, 120);
    const b = await createMmsc({ config: { ...config, node: { id: 'b' } }, plugins });
    try {
      // B serves what A accepted, while A is still accepting more.
      let fetched = 0;
      while (a.acks.length < 300) {
        const batch = a.acks.slice(fetched);
        for (const { id } of batch) {
          assert.ok(await b.getMessage(id), `node B reads ${id}, accepted by node A`);
          assert.equal((await b.getParts(id))?.length, 1);
        }
        fetched += batch.length;
        await new Promise((r) => setTimeout(r, 20));
      }
      await a.kill();
      const killedAt = Date.now();
      const acked = a.acks.map((x) => x.id);
      const pushedAtKill = a.pushed();
      assert.ok(pushedAtKill < acked.length * 2, `notifications still pending at the kill (${pushedAtKill} of ${acked.length * 2})`);
      for (const id of acked) assert.ok(await b.getMessage(id), `acknowledged ${id} survives node A`);
      assert.deepEqual(await waitUntilNotified(b, acked, 60_000), [], 'every acknowledged recipient notified by node B');
      const doneIn = Date.now() - killedAt;
      const lines = new Set(readFileSync(join(dir, 'pushes.log'), 'utf8').trim().split('\n'));
      for (const id of acked) assert.ok(lines.has(`${id} +15550000002`) && lines.has(`${id} +15550000003`), `both pushes for ${id}`);
      t.diagnostic(
        `${label}: ${acked.length} acknowledged by node A, ${fetched} read on node B while A ran; ${pushedAtKill} of ${acked.length * 2} notifications sent at the kill; ` +
          `all sent ${doneIn} ms after it (lease 3 s)`,
      );
    } finally {
      await b.stop();
    }
  } finally {
    await a.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('two nodes, one killed mid-burst', () => {
  it('on PostgreSQL', { skip: requireSystem('postgresql') }, async (t) => {
    const pg = await startPostgres();
    try {
      await twoNodesKillOne(t, 'postgres', { type: 'postgres', url: pg.url, schema: 'cluster' });
    } finally {
      await pg.stop();
    }
  });

  it('on Redis', { skip: requireSystem('redis-server') }, async (t) => {
    const redis = await startRedis({ persistence: 'always' });
    try {
      await twoNodesKillOne(t, 'redis', { type: 'redis', url: redis.url, prefix: 'cluster' });
    } finally {
      await redis.stop();
    }
  });
});
