import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor, whileRunning } from '@openmmsc/testkit';
import { ESME_ROK, ESME_RTHROTTLED, RawSmsc } from './raw-smsc.js';
import { allNotified, assertNoneForgotten, bareLink, countNotified, figure, gauge, mmscWithBearer, numbers, scrape, sendEach } from './scenario.js';

const THROTTLE_MS = 30_000;

describe('push-smpp: an SMSC that throttles for a while', () => {
  it('throttles every submit for 30 s, then recovers: all 20 notified afterwards, the probes paced, no attempt used', async () => {
    // Every submit_sm is answered ESME_RTHROTTLED for 30 s from the first one, then accepted.
    let throttleEnd = Infinity;
    const smsc = new RawSmsc({
      onSubmit: (s, self) => {
        if (throttleEnd === Infinity) throttleEnd = s.at + THROTTLE_MS;
        s.session.answerSubmit(s, s.at < throttleEnd ? ESME_RTHROTTLED : ESME_ROK, self.newId());
      },
    });
    await smsc.start();
    // The kernel's and the plugin's default settings: notify budget of 8 attempts, throttleRetryMs 1 s.
    await whileRunning(mmscWithBearer({ links: [bareLink(smsc.port)] }), async (t) => {
      const ids = await sendEach(t, numbers(20, 1000));
      await waitFor('the throttle began', () => throttleEnd !== Infinity);
      const start = throttleEnd - THROTTLE_MS;

      // Half-way through: nothing lost, nothing hammered.
      await new Promise((r) => setTimeout(r, 15_000));
      await assertNoneForgotten(t.mmsc, ids);
      const metrics = await scrape(t.mmsc);
      const pending = ['held', 'active', 'waiting'].map((state) => gauge(metrics, 'openmmsc_jobs_queued', `kind="notify",state="${state}"`) ?? 0);
      assert.ok(gauge(metrics, 'openmmsc_jobs_oldest_held_seconds', 'kind="notify"')! >= 10, 'the backlog shows as held since the throttle began');
      assert.equal(pending.reduce((a, b) => a + b, 0), 20 - (await countNotified(t.mmsc, ids)), `held, active, waiting: ${pending.join(', ')}`);

      await allNotified(t.mmsc, ids, THROTTLE_MS + 20_000);
      const done = Date.now();
      const during = smsc.submits.filter((s) => s.at < throttleEnd).length;
      const after = smsc.submits.filter((s) => s.at >= throttleEnd).length;
      figure(`throttle ${THROTTLE_MS / 1000} s: notified ${await countNotified(t.mmsc, ids)}/20; submit_sm during the throttle ${during}; all notified ${((done - throttleEnd) / 1000).toFixed(1)} s after it ended (${((done - start) / 1000).toFixed(1)} s after the first submit); submit_sm after ${after}`);
      assert.ok(during <= 40, `${during} submit_sm during the throttle: not paced`);
      assert.equal(after, 20, 'each notification went out once the SMSC took them');
      assert.ok(done - throttleEnd < 20_000, 'the backlog drained soon after the throttle ended');
    }, smsc);
  });
});
