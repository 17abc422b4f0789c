import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor, type TestMmsc } from '@openmmsc/testkit';
import { RawSmsc } from './raw-smsc.js';
import { allNotified, bareLink, countNotified, mmscWithBearer, numbers, sendEach } from './scenario.js';

// push-smpp keeps no retry of its own: a push that no link can take is held by the kernel's notify
// job (durable), so a restart during an SMSC outage loses nothing and sends nothing twice.
describe('push-smpp: notifications held during an SMSC outage survive a restart', () => {
  it('held while the SMSC is down, the MMSC restarts on the same store, each is sent once when the SMSC is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-push-smpp-restart-'));
    const store = { type: 'sqlite' as const, path: join(dir, 'store.sqlite') };
    const smsc = new RawSmsc();
    await smsc.start();
    await smsc.stop();
    const start = () => mmscWithBearer({ links: [bareLink(smsc.port, { reconnect: { baseMs: 100, maxMs: 500 } })], waitForLinkMs: 200 }, { store });
    let t: TestMmsc | undefined;
    try {
      t = await start();
      const ids = await sendEach(t, numbers(3, 4000));
      const first = t;
      await waitFor('every notification held', async () => {
        for (const id of ids) if ((await first.mmsc.queue.job(`notify:${id}:0`))?.state !== 'held') return false;
        return true;
      });
      await t.stop();
      t = undefined;
      assert.equal(smsc.submits.length, 0);

      await smsc.start();
      t = await start();
      await allNotified(t.mmsc, ids, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await countNotified(t.mmsc, ids), 3);
      assert.equal(smsc.submits.length, 3, 'each notification sent once');
    } finally {
      await t?.stop();
      await smsc.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
