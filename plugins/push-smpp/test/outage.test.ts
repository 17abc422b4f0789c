import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor, whileRunning } from '@openmmsc/testkit';
import { RawSmsc } from './raw-smsc.js';
import { allNotified, assertNoneForgotten, bareLink, countNotified, figure, gauge, mmscWithBearer, numbers, scrape, sendEach } from './scenario.js';

// The scenario is an SMSC gone for 5 minutes; the same logic on a shorter time scale:
// reconnect back-off capped at 2 s instead of 60 s, 25 s down. OUTAGE_MS can stretch it.
const OUTAGE_MS = Number(process.env.OUTAGE_MS ?? 25_000);

describe('push-smpp: an SMSC that goes away for a while', () => {
  it(`holds every notification while the SMSC is down (${OUTAGE_MS / 1000} s), stays ready, and sends them all when it is back`, async () => {
    const smsc = new RawSmsc();
    await smsc.start();
    await whileRunning(mmscWithBearer({ links: [bareLink(smsc.port, { reconnect: { baseMs: 250, maxMs: 2000 } })], waitForLinkMs: 1000 }), async (t) => {
      await smsc.stop();
      const ids = await sendEach(t, numbers(5, 2000));
      await waitFor('every notification held', async () => {
        for (const id of ids) if ((await t.mmsc.queue.job(`notify:${id}:0`))?.state !== 'held') return false;
        return true;
      });
      const half = Date.now() + OUTAGE_MS / 2;
      while (Date.now() < half) {
        await assertNoneForgotten(t.mmsc, ids);
        await new Promise((r) => setTimeout(r, 1000));
      }
      // MM1 still takes messages: /ready stays 200; the inability to notify is reported apart.
      const ready = await fetch(`${t.mmsc.adminUrl}/ready`);
      assert.equal(ready.status, 200);
      const body = (await ready.json()) as { abilities: { notify: string } };
      assert.match(body.abilities.notify, /ECONNREFUSED|is down|idle/);
      assert.equal((await fetch(`${t.mmsc.adminUrl}/ready/notify`)).status, 503);
      const metrics = await scrape(t.mmsc);
      // Held between reconnect attempts, running (waiting up to waitForLinkMs for a bind) around them.
      const pending = ['held', 'active', 'waiting'].map((state) => gauge(metrics, 'openmmsc_jobs_queued', `kind="notify",state="${state}"`) ?? 0);
      assert.equal(pending.reduce((a, b) => a + b, 0), 5, `held, active, waiting: ${pending.join(', ')}`);
      assert.ok(gauge(metrics, 'openmmsc_jobs_oldest_held_seconds', 'kind="notify"')! >= OUTAGE_MS / 2000 - 1);
      assert.equal(gauge(metrics, 'openmmsc_notify_available'), 0);
      assert.equal(gauge(metrics, 'openmmsc_smpp_link_bound', `link="127.0.0.1:${smsc.port}"`), 0);
      await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
      await assertNoneForgotten(t.mmsc, ids);
      assert.equal(await countNotified(t.mmsc, ids), 0);

      const back = Date.now();
      await smsc.start();
      await allNotified(t.mmsc, ids, 10_000);
      const took = Date.now() - back;
      figure(`SMSC down ${OUTAGE_MS / 1000} s: notified ${await countNotified(t.mmsc, ids)}/5, ${(took / 1000).toFixed(1)} s after it came back; /ready 200 throughout, /ready/notify 503 while down`);
      assert.ok(took < 2000 + 1000 + 1500, `${took} ms after the SMSC came back (reconnect back-off is at most 2 s)`);
      assert.equal(smsc.submits.length, 5, 'each notification sent once');
      assert.equal((await fetch(`${t.mmsc.adminUrl}/ready/notify`)).status, 200);
    }, smsc);
  });
});
