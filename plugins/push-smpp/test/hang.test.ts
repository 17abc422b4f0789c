import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor, whileRunning } from '@openmmsc/testkit';
import { RawSmsc } from './raw-smsc.js';
import { allNotified, bareLink, figure, gauge, mmscWithBearer, numbers, scrape, sendEach } from './scenario.js';

const RESPONSE_TIMEOUT_MS = 2000;

describe('push-smpp: an SMSC that answers enquire_link but never submit_sm', () => {
  for (const strategy of ['round-robin', 'failover'] as const) {
    it(`${strategy}: takes the hung link out of rotation within the response time-out, the other link takes its share`, async () => {
      const hung = new RawSmsc({ onSubmit: () => {} }); // binds, answers enquire_link, swallows every submit_sm
      const good = new RawSmsc();
      await hung.start();
      await good.start();
      const timing = { responseTimeoutMs: RESPONSE_TIMEOUT_MS, enquireLinkMs: 500, reconnect: { baseMs: 250, maxMs: 2000 } };
      await whileRunning(mmscWithBearer({ strategy, links: [bareLink(hung.port, { name: 'a', ...timing }), bareLink(good.port, { name: 'b', ...timing })] }), async (t) => {
        const start = Date.now();
        const ids = await sendEach(t, numbers(20, 3000));
        await waitFor('the hung link got submits', () => hung.submits.length > 0);
        await waitFor('the hung link out of rotation', async () => gauge(await scrape(t.mmsc), 'openmmsc_smpp_link_stalls_total', 'link="a"')! >= 1, { timeoutMs: RESPONSE_TIMEOUT_MS + 2000 });
        const out = Date.now() - hung.submits[0]!.at;
        const metrics = await scrape(t.mmsc);
        assert.equal(gauge(metrics, 'openmmsc_smpp_link_in_rotation', 'link="a"'), 0);
        assert.equal(gauge(metrics, 'openmmsc_smpp_link_in_rotation', 'link="b"'), 1);
        // The node and its notifications are fine; /ready names the link that is out.
        const ready = await fetch(`${t.mmsc.adminUrl}/ready`);
        assert.equal(ready.status, 200);
        const notify = ((await ready.json()) as { abilities: { notify: string } }).abilities.notify;
        assert.match(notify, /^ok: a: .*no submit_sm_resp within 2000 ms.*; b: bound/);

        await allNotified(t.mmsc, ids, RESPONSE_TIMEOUT_MS + 4000);
        const moved = Date.now() - start;
        const sharedA = hung.submits.length;
        // More traffic: the hung link, bound again after each stall, gets one probe at a time at most.
        const more = await sendEach(t, numbers(20, 3100));
        await allNotified(t.mmsc, more, RESPONSE_TIMEOUT_MS + 4000);
        figure(
          `hang (${strategy}): link a out of rotation ${(out / 1000).toFixed(1)} s after its first unanswered submit_sm (response time-out ${RESPONSE_TIMEOUT_MS / 1000} s); all 20 notified ${(moved / 1000).toFixed(1)} s after submission; submit_sm to a ${sharedA} then ${hung.submits.length - sharedA} probe(s) for the next 20, to b ${good.submits.length}; a bound ${hung.binds} times`,
        );
        assert.ok(out <= RESPONSE_TIMEOUT_MS + 1000, `out of rotation after ${out} ms`);
        assert.ok(moved <= RESPONSE_TIMEOUT_MS + 3000, `all notified after ${moved} ms`);
        assert.ok(hung.submits.length - sharedA <= hung.binds, 'at most one probe per bind after the stall');
        assert.ok(good.submits.length >= 40);
      }, hung, good);
    });
  }
});
