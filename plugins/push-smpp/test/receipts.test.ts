import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localSubscribers, notificationBuilder, startTestMmsc, waitFor, whileRunning, type TestMmsc } from '@openmmsc/testkit';
import pushSmpp from '../src/index.js';
import { ESME_ROK, RawSmsc, receiptText, type RawSmscOptions } from './raw-smsc.js';
import { allNotified, bareLink, figure, mmscWithBearer, numbers, sendEach } from './scenario.js';

async function receiptsNoted(t: Awaited<ReturnType<typeof mmscWithBearer>>, ids: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) out.push(String((await t.mmsc.getRecipients(id))[0]?.attributes.pushReceipt ?? ''));
  return out;
}

/**
 * Starts an SMSC written for the test that answers each submit_sm with `onSubmit`, and an MMSC
 * (by default one push-smpp link to it) pushing to it; runs `body`, then stops both.
 */
async function againstSmsc(
  onSubmit: NonNullable<RawSmscOptions['onSubmit']>,
  body: (t: TestMmsc, smsc: RawSmsc) => Promise<void>,
  mmsc: (port: number) => Promise<TestMmsc> = (port) => mmscWithBearer({ links: [bareLink(port)] }),
): Promise<void> {
  const smsc = new RawSmsc({ onSubmit });
  await smsc.start();
  await whileRunning(mmsc(smsc.port), (t) => body(t, smsc), smsc);
}

describe('push-smpp: delivery receipts from an SMSC written for the test', () => {
  it('matches a receipt that arrives before its submit_sm_resp (hex id answered, decimal id receipted too)', async () => {
    let n = 0;
    await againstSmsc(
      (s, self) => {
        const id = self.newId();
        // Every other receipt names the id in decimal, as some SMSCs do.
        const receiptId = n++ % 2 === 0 ? id : String(parseInt(id, 16));
        s.session.sendReceipt(receiptText(receiptId, 'DELIVRD'));
        setTimeout(() => s.session.answerSubmit(s, ESME_ROK, id), 20);
      },
      async (t) => {
        const ids = await sendEach(t, numbers(15, 4000));
        await allNotified(t.mmsc, ids, 10_000);
        await waitFor('every receipt matched', async () => (await receiptsNoted(t, ids)).every((s) => s === 'DELIVRD'), { timeoutMs: 5000 }).catch(() => undefined);
        const noted = await receiptsNoted(t, ids);
        figure(`receipt before submit_sm_resp: matched ${noted.filter((s) => s === 'DELIVRD').length}/15`);
        assert.deepEqual(noted, ids.map(() => 'DELIVRD'));
        const r = (await t.mmsc.getRecipients(ids[0]!))[0]!;
        assert.equal(typeof r.attributes.pushReceiptAt, 'number');
        assert.match(await t.mmsc.registry.getSingleMetricAsString('openmmsc_smpp_delivery_receipts_unmatched_total'), / 0$/m);
      },
    );
  });

  it('matches receipts for every segment of a concatenated push, each arriving before its own submit_sm_resp', async () => {
    await againstSmsc(
      (s, self) => {
        const id = self.newId();
        s.session.sendReceipt(receiptText(id, 'DELIVRD'));
        // The last segment's answer is slow: earlier receipts must not wait for it.
        setTimeout(() => s.session.answerSubmit(s, ESME_ROK, id), self.submits.length % 3 === 0 ? 300 : 5);
      },
      async (t, smsc) => {
        const [id] = await sendEach(t, ['+15550004900']);
        await allNotified(t.mmsc, [id!], 10_000);
        assert.ok(smsc.submits.length >= 3);
        await waitFor('receipt noted', async () => (await t.mmsc.getRecipients(id!))[0]?.attributes.pushReceipt === 'DELIVRD');
        await waitFor('every segment receipt counted', async () =>
          new RegExp(`stat="DELIVRD"\\} ${smsc.submits.length}`).test(await t.mmsc.registry.getSingleMetricAsString('openmmsc_smpp_delivery_receipts_total')),
        );
        assert.match(await t.mmsc.registry.getSingleMetricAsString('openmmsc_smpp_delivery_receipts_unmatched_total'), / 0$/m);
      },
      (port) => startTestMmsc({ plugins: [localSubscribers(), notificationBuilder({ pad: 300 }), { plugin: pushSmpp, options: { links: [bareLink(port)] } }] }),
    );
  });

  it('records a receipt with an empty stat: as UNKNOWN, not as an empty status', async () => {
    await againstSmsc(
      (s, self) => {
        const id = self.newId();
        s.session.answerSubmit(s, ESME_ROK, id);
        setTimeout(() => s.session.sendReceipt(`id:${id} sub:001 dlvrd:000 submit date:2501011200 done date:2501011201 stat: err:000 text:`), 10);
      },
      async (t) => {
        const [id] = await sendEach(t, ['+15550004950']);
        await allNotified(t.mmsc, [id!], 10_000);
        await waitFor('receipt noted', async () => (await t.mmsc.getRecipients(id!))[0]?.attributes.pushReceipt !== undefined);
        assert.equal((await t.mmsc.getRecipients(id!))[0]!.attributes.pushReceipt, 'UNKNOWN');
        const metric = await t.mmsc.registry.getSingleMetricAsString('openmmsc_smpp_delivery_receipts_total');
        assert.match(metric, /stat="UNKNOWN"\} 1/);
        assert.doesNotMatch(metric, /stat=""/);
      },
    );
  });
});
