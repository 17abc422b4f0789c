import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMmsc, type KernelConfigInput } from '@openmmsc/core';
import {requireSystem, startPostgres, startRedis, waitFor } from '@openmmsc/testkit';
import { crashSetup } from './fixtures/crash-plugins.js';
import { startBurstChild, waitUntilNotified } from './helpers/burst-child.js';

/**
 * kill -9 of the MMSC while submissions and notifications are in flight, then a restart on the
 * same store: every acknowledged message is there and every recipient gets notified.
 */
async function killMmscMidFlight(store?: (dir: string) => KernelConfigInput['store'], pushMs = 3): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-crash-'));
  try {
    const storeConfig = store?.(dir);
    const child = startBurstChild(dir, storeConfig, pushMs);
    try {
      await waitFor('submissions and notifications under way', () => child.acks.length >= 150 && child.pushed() >= 20, { timeoutMs: 60_000 });
    } finally {
      // Also when the wait fails: a child left running keeps this test file from ever exiting.
      await child.kill();
    }
    assert.equal(child.proc.signalCode, 'SIGKILL');
    const ackedAtKill = child.acks.map((a) => a.id);
    const pushedAtKill = child.pushed();
    assert.ok(pushedAtKill < ackedAtKill.length * 2, `some notifications must still be pending at the kill (${pushedAtKill} of ${ackedAtKill.length * 2})`);

    const { plugins, config } = crashSetup(dir, storeConfig, pushMs);
    const mmsc = await createMmsc({ config, plugins });
    try {
      for (const id of ackedAtKill) {
        const message = await mmsc.getMessage(id);
        assert.ok(message, `acknowledged message ${id} is in the store`);
        const parts = await mmsc.getParts(id);
        assert.equal(parts?.length, 1);
        assert.match(Buffer.from(parts[0]!.data).toString(), /^message \d+$/, `the body of ${id} is whole`);
      }
      for (const id of ackedAtKill) assert.equal((await mmsc.getRecipients(id)).length, 2);
      assert.deepEqual(await waitUntilNotified(mmsc, ackedAtKill, 60_000), [], 'every acknowledged recipient notified');
      const lines = new Set(readFileSync(join(dir, 'pushes.log'), 'utf8').trim().split('\n'));
      for (const id of ackedAtKill) {
        assert.ok(lines.has(`${id} +15550000002`) && lines.has(`${id} +15550000003`), `both pushes for ${id}`);
      }
    } finally {
      await mmsc.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('durability', () => {
  it('kill -9 mid-flight loses nothing: every acknowledged message is stored and every recipient gets notified after restart', async () => {
    await killMmscMidFlight();
  });

  it('the same with every part body in a file beside the SQLite file (store.bodyFilesAbove 0)', async () => {
    // A file per body makes submissions slower: slower pushes keep notifications pending at the
    // kill (with 3 ms ones, a loaded machine let them catch up with all 150 messages twice).
    await killMmscMidFlight((dir) => ({ type: 'sqlite', path: join(dir, 'store.sqlite'), bodyFilesAbove: 0 }), 10);
  });

  it('the same on PostgreSQL (store and queue)', { skip: requireSystem('postgresql') }, async () => {
    const pg = await startPostgres();
    try {
      // Submissions over the network are slower: slower pushes keep notifications pending at the kill.
      await killMmscMidFlight(() => ({ type: 'postgres', url: pg.url, schema: 'crash' }), 40);
    } finally {
      await pg.stop();
    }
  });

  it('the same on Redis (AOF, appendfsync always)', { skip: requireSystem('redis-server') }, async () => {
    const redis = await startRedis({ persistence: 'always' });
    try {
      // A BullMQ job whose node died is taken over after its lease (3 s by default).
      await killMmscMidFlight(() => ({ type: 'redis', url: redis.url, prefix: 'crash' }), 40);
    } finally {
      await redis.stop();
    }
  });
});
