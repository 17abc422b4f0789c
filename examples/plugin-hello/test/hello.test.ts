import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMessage, localSubscribers, recordingPushBearer, startTestMmsc, waitFor } from '@openmmsc/testkit';
import hello from '../src/index.js';

/** Handsets `+1555…` are this MMSC's own subscribers. */
const localPhones = localSubscribers();

describe('example plugin: hello', () => {
  it('answers a message sent to its short code, through the MMSC', async () => {
    const push = recordingPushBearer();
    const t = await startTestMmsc({ plugins: [localPhones, { plugin: hello, options: { shortCode: '4355', greeting: 'Hi!' } }, push.plugin] });
    try {
      const sent = await t.mmsc.submit({ message: buildMessage({ to: '4355', text: 'ping', subject: 'test' }), origin: { interface: 'api' } });
      assert.equal(sent.status, 'accepted');
      const notice = await waitFor('the reply is pushed to the sender', () => push.pushes.find((p) => p.to.value === '+15550000001'));
      const reply = await t.mmsc.getMessage(notice.notification.messageId);
      assert.equal(reply?.headers.subject?.text, 'Re: test');
      const parts = await t.mmsc.getParts(notice.notification.messageId);
      assert.equal(Buffer.from(parts![0]!.data).toString(), 'Hi! You said: ping');
      // The reply can be pushed before the deliver job has recorded the original as delivered.
      await waitFor('the original delivered', async () => (await t.mmsc.getRecipients(sent.messageId))[0]?.state === 'delivered');
      assert.match(await t.mmsc.registry.getSingleMetricAsString('openmmsc_hello_answers_total'), / 1$/m);
    } finally {
      await t.stop();
    }
  });

  it('refuses banned words in the receive stage', async () => {
    const t = await startTestMmsc({ plugins: [localPhones, { plugin: hello, options: { bannedWords: ['Lottery'] } }] });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ text: 'You won the LOTTERY' }), origin: { interface: 'api' } });
      assert.equal(r.status, 'rejected');
      assert.equal(r.status === 'rejected' && r.reason.code, 'content-not-accepted');
    } finally {
      await t.stop();
    }
  });

  it('refuses bad options with a clear message', async () => {
    await assert.rejects(startTestMmsc({ plugins: [{ plugin: hello, options: { shortCode: 'abc' } }] }), /plugins\[0\] \(openmmsc-example-plugin-hello\)\.shortCode: /);
  });
});
