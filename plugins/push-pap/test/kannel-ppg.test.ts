// Against a real PPG: our notification goes through Kannel's PAP endpoint (wapbox) to bearerbox
// and out to fakesmsc; the bytes fakesmsc receives must decode to our m-notification-ind.
// Skipped when Kannel is not installed (a failure under OPENMMSC_REQUIRE_ALL=1, as in CI).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildMessage, decodeNotification, fastNotifyRetries, localSubscribers, notificationBuilder, requireSystem, startTestMmsc, type TestMmsc, waitFor } from '@openmmsc/testkit';
import pushPap from '../src/index.js';
import { reassemble } from './helpers.js';
import { startKannel, type Kannel } from './kannel.js';

async function notified(t: TestMmsc, messageId: string) {
  return waitFor(`${messageId} notified`, async () => {
    const r = (await t.mmsc.getRecipients(messageId))[0];
    return r?.state === 'notified' ? r : undefined;
  });
}

describe('push-pap through Kannel', { skip: requireSystem('kannel') }, () => {
  // Started by the first test that needs it, so that a Kannel that does not start fails the tests
  // (counted as failures with the reason), rather than cancelling them from a hook.
  let started: Promise<Kannel> | undefined;
  const kannelOnce = () => (started ??= startKannel());
  after(async () => {
    await started?.then((k) => k.stop(), () => undefined);
  });

  it('delivers our m-notification-ind as WAP Push to the SMSC (single SMS)', async () => {
    const kannel = await kannelOnce();
    const t = await startTestMmsc({ plugins: [localSubscribers(), notificationBuilder(), { plugin: pushPap, options: { url: kannel.papUrl } }], config: fastNotifyRetries });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550000002', text: 'x'.repeat(1000) }), origin: { interface: 'api' } });
      assert.equal(r.status, 'accepted');
      const rec = await notified(t, r.messageId);
      assert.match(String(rec.attributes.pushReference), new RegExp(`^${r.messageId}\\.[0-9a-f]{12}@openmmsc$`));
      const sms = await kannel.waitForSms(1);
      assert.equal(sms[0]!.receiver, '+15550000002');
      assert.deepEqual([...sms[0]!.udh!], [0x06, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0], 'UDH: WDP ports 2948/9200');
      const [dgram] = reassemble(sms);
      assert.deepEqual(dgram?.ports, { destination: 2948, source: 9200 });
      const { push, pdu } = decodeNotification(dgram!.payload);
      assert.equal(push.pduType, 0x06);
      assert.equal(push.contentType.type, 'application/vnd.wap.mms-message');
      assert.equal(push.applicationId, 'x-wap-application:mms.ua');
      assert.equal(pdu.messageType, 'm-notification-ind');
      assert.equal(pdu.transactionId, `T${r.messageId}`);
      assert.equal(pdu.contentLocation, `http://mmsc.test/m/${r.messageId}`);
      const stored = await t.mmsc.getMessage(r.messageId);
      assert.equal(pdu.messageSize, stored!.size);
      assert.match(await t.mmsc.registry.getSingleMetricAsString('openmmsc_pap_response_codes_total'), /code="1001"\} 1/);
    } finally {
      await t.stop();
    }
  });

  it('delivers a notification longer than one SMS (Kannel concatenates it)', async () => {
    const kannel = await kannelOnce();
    const t = await startTestMmsc({ plugins: [localSubscribers(), notificationBuilder({ pad: 200 }), { plugin: pushPap, options: { url: kannel.papUrl } }], config: fastNotifyRetries });
    try {
      const already = kannel.received.length;
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550000003' }), origin: { interface: 'api' } });
      assert.equal(r.status, 'accepted');
      await notified(t, r.messageId);
      await waitFor('segments at fakesmsc', () => reassemble(kannel.received.slice(already)).length === 1);
      const [dgram] = reassemble(kannel.received.slice(already));
      assert.ok(dgram!.segments >= 2, `${dgram!.segments} segments`);
      const { pdu } = decodeNotification(dgram!.payload);
      assert.equal(pdu.transactionId, `T${r.messageId}`);
      assert.equal(pdu.contentLocation, `http://mmsc.test/m/${r.messageId}?pad=${'x'.repeat(200)}`);
    } finally {
      await t.stop();
    }
  });
});
