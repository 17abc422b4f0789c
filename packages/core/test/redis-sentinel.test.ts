import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMmsc, type KernelConfigInput } from '@openmmsc/core';
import {requireSystem, startSentinelGroup, waitFor } from '@openmmsc/testkit';
import { crashSetup } from './fixtures/crash-plugins.js';
import { startBurstChild, waitUntilNotified } from './helpers/burst-child.js';

describe('Redis Sentinel: the master is killed mid-burst', { skip: requireSystem('redis-server') }, () => {
  it('nodes follow the fail-over without operator action; acknowledged messages lost at most the replication lag', async (t) => {
    const group = await startSentinelGroup({ persistence: 'always' });
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-sentinel-'));
    try {
      const store: KernelConfigInput['store'] = {
        type: 'redis',
        sentinels: group.sentinels,
        name: group.name,
        prefix: 'sentinel',
      };
      const node = startBurstChild(dir, store, 1);
      try {
        await waitFor('a burst under way', () => node.acks.length >= 200, { timeoutMs: 60_000 });
        const oldMaster = group.servers[0]!;
        const killedAt = Date.now();
        await oldMaster.kill();
        const ackedBeforeKill = node.acks.filter((a) => a.at <= killedAt).length;
        const newPort = await group.waitForFailover(oldMaster.port);
        const promotedAt = Date.now();
        assert.notEqual(newPort, oldMaster.port);
        // The node goes on accepting on the new master by itself.
        const firstAfter = await waitFor('acknowledgements from the new master', () => node.acks.find((a) => a.at > promotedAt), { timeoutMs: 30_000, intervalMs: 20 });
        const resumedAt = firstAfter.at;
        const count = node.acks.length;
        await waitFor('the burst continuing', () => node.acks.length >= count + 100, { timeoutMs: 30_000 });
        await node.kill();
        const acked = node.acks.map((a) => a.id);

        const { plugins, config } = crashSetup(dir, store, 0);
        const mmsc = await createMmsc({ config, plugins });
        try {
          const lost: string[] = [];
          for (const id of acked) if (!(await mmsc.getMessage(id))) lost.push(id);
          const lastSecond = node.acks.filter((a) => a.at > killedAt - 1000 && a.at <= killedAt + 1000).length;
          t.diagnostic(
            `sentinel fail-over: ${acked.length} acknowledged (${ackedBeforeKill} before the kill), ${lost.length} lost; ` +
              `new master named ${promotedAt - killedAt} ms after the kill, writes resumed after ${resumedAt - killedAt} ms`,
          );
          assert.ok(lost.length <= lastSecond, `lost ${lost.length}: more than the ${lastSecond} acknowledged around the kill`);
          const survivors = acked.filter((id) => !lost.includes(id));
          assert.deepEqual(await waitUntilNotified(mmsc, survivors, 60_000), [], 'every surviving recipient notified');
        } finally {
          await mmsc.stop();
        }
      } finally {
        await node.kill();
      }
    } finally {
      await group.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
