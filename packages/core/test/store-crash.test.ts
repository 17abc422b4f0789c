import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMmsc, type KernelConfigInput } from '@openmmsc/core';
import {requireSystem, startPostgres, startRedis, waitFor } from '@openmmsc/testkit';
import { crashSetup } from './fixtures/crash-plugins.js';
import { startBurstChild, waitUntilNotified } from './helpers/burst-child.js';
import { whileRunning } from '@openmmsc/testkit';

interface Outcome {
  acked: number;
  /** Acknowledged messages whose record is gone after the restart. */
  lost: number;
  /** Surviving acknowledged messages some recipient of which was never notified (their job was lost). */
  unnotified: number;
  /** Acknowledgements that reached the client in the last second before the kill. */
  lastSecond: number;
}

/**
 * An MMSC (child process) submits as fast as it can; the store's server is killed with SIGKILL
 * mid-burst and restarted on the same data; a fresh MMSC then counts the acknowledged messages
 * that are gone and the survivors whose notifications never come.
 */
async function killServerMidBurst(
  t: TestContext,
  label: string,
  store: KernelConfigInput['store'],
  server: { kill(): Promise<void>; restart(): Promise<void> },
): Promise<Outcome> {
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-store-crash-'));
  try {
    const child = startBurstChild(dir, store, 1);
    try {
      await waitFor('a burst under way', () => child.acks.length >= 300, { timeoutMs: 60_000 });
    } catch (error) {
      // A child left running keeps this test file from ever exiting (and writes into `dir`).
      await child.kill();
      throw error;
    }
    const killedAt = Date.now();
    await server.kill();
    // Answers already on the wire still count: Redis or PostgreSQL acknowledged them before dying.
    await sleep(300);
    await child.kill();
    const acked = [...child.acks];
    await server.restart();

    const { plugins, config } = crashSetup(dir, store, 0);
    const mmsc = await createMmsc({ config, plugins });
    try {
      const surviving: string[] = [];
      for (const { id } of acked) if (await mmsc.getMessage(id)) surviving.push(id);
      const unnotified = (await waitUntilNotified(mmsc, surviving, 30_000)).length;
      const outcome: Outcome = {
        acked: acked.length,
        lost: acked.length - surviving.length,
        unnotified,
        lastSecond: acked.filter((a) => a.at > killedAt - 1000).length,
      };
      t.diagnostic(`${label}: ${outcome.acked} acknowledged, ${outcome.lost} lost, ${outcome.unnotified} never notified (${outcome.lastSecond} acknowledged in the last second before the kill)`);
      return outcome;
    } finally {
      await mmsc.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What each persistence setting promises about acknowledged messages when redis-server is killed. */
const redisSettings: Array<{
  name: string;
  persistence: 'always' | 'everysec' | 'none';
  durability?: 'everysec' | 'none';
  promise(o: Outcome): void;
}> = [
  {
    name: 'appendonly yes, appendfsync always: nothing acknowledged is lost',
    persistence: 'always',
    promise: (o) => {
      assert.equal(o.lost, 0);
      assert.equal(o.unnotified, 0);
    },
  },
  {
    name: 'appendonly yes, appendfsync everysec: at most the last second (a killed process loses nothing written)',
    persistence: 'everysec',
    durability: 'everysec',
    promise: (o) => assert.ok(o.lost <= o.lastSecond, `lost ${o.lost}, more than the last second's ${o.lastSecond}`),
  },
  {
    name: 'no AOF, no RDB save: everything acknowledged is lost (the test sees losses when there are some)',
    persistence: 'none',
    durability: 'none',
    promise: (o) => assert.equal(o.lost, o.acked),
  },
];

describe('kill -9 of redis-server mid-burst, per persistence setting', { skip: requireSystem('redis-server') }, () => {
  for (const setting of redisSettings) {
    it(setting.name, (t) =>
      whileRunning(
        startRedis({ persistence: setting.persistence }),
        async (redis) => {
          const label = `redis ${setting.persistence === 'none' ? 'appendonly no' : `appendfsync ${setting.persistence}`}`;
          const store: KernelConfigInput['store'] = { type: 'redis', url: redis.url, prefix: 'loss', ...(setting.durability ? { durability: setting.durability } : {}) };
          setting.promise(await killServerMidBurst(t, label, store, redis));
        },
      ),
    );
  }
});

describe('kill -9 of PostgreSQL mid-burst', { skip: requireSystem('postgresql') }, () => {
  it('synchronous_commit on: nothing acknowledged is lost', (t) =>
    whileRunning(startPostgres(), async (pg) => {
      const o = await killServerMidBurst(t, 'postgres synchronous_commit on', { type: 'postgres', url: pg.url, schema: 'loss' }, pg);
      assert.equal(o.lost, 0);
      assert.equal(o.unnotified, 0);
    }));
});
