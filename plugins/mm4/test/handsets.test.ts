import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import mm1, { mm1Url } from '@openmmsc/plugin-mm1';
import { SimulatedHandset, handsetPushBearer, waitFor } from '@openmmsc/testkit';
import { DOMAIN_A, DOMAIN_B, startPair } from './helpers.js';

const A1 = '+15550000001';
const B1 = '+16660000001';

describe('MM4 with real handsets (MM1 + simulated handsets) on two MMSCs', () => {
  it('a message goes both ways; delivery and read reports reach the sending handsets', async () => {
    const pushA = handsetPushBearer('push-a');
    const pushB = handsetPushBearer('push-b');
    const pair = await startPair({
      extraA: [{ plugin: mm1, options: { port: 0 } }],
      extraB: [{ plugin: mm1, options: { port: 0 } }],
      pushA: pushA.plugin,
      pushB: pushB.plugin,
    });
    const a1 = new SimulatedHandset({ msisdn: A1, mmscUrl: `${mm1Url(pair.a.t.mmsc)}/mms`, mode: 'immediate' });
    const b1 = new SimulatedHandset({ msisdn: B1, mmscUrl: `${mm1Url(pair.b.t.mmsc)}/mms`, mode: 'immediate' });
    pushA.attach(a1);
    pushB.attach(b1);
    try {
      // A1 → B1 over MM4 (A → B)
      const sent = await a1.send({ to: B1, subject: 'over MM4', text: 'hello from operator A', deliveryReport: true, readReport: true });
      assert.equal(sent.status, 'ok');
      const got = await b1.waitForMessage((m) => m.pdu.subject?.text === 'over MM4');
      assert.deepEqual(got.texts, ['hello from operator A']);
      assert.match(got.pdu.from?.address ?? '', /\+15550000001/);
      const dr = await a1.waitForDeliveryReport((r) => r.messageId === sent.messageId);
      assert.equal(dr.status, 'retrieved');
      assert.equal(await b1.sendReadReport(got, 'read'), 200);
      const rr = await a1.waitForReadReport((r) => r.messageId === sent.messageId);
      assert.equal(rr.readStatus, 'read');

      // B1 → A1 over MM4 (B → A)
      const back = await b1.send({ to: A1, subject: 'reply over MM4', text: 'hello back', deliveryReport: true });
      assert.equal(back.status, 'ok');
      const reply = await a1.waitForMessage((m) => m.pdu.subject?.text === 'reply over MM4');
      assert.deepEqual(reply.texts, ['hello back']);
      const dr2 = await b1.waitForDeliveryReport((r) => r.messageId === back.messageId);
      assert.equal(dr2.status, 'retrieved');

      const [ra] = await pair.a.t.mmsc.getRecipients(sent.messageId!);
      assert.equal(ra?.state, 'delivered');
      assert.equal(ra?.route?.destination, DOMAIN_B);
      const [rb] = await pair.b.t.mmsc.getRecipients(back.messageId!);
      assert.equal(rb?.route?.destination, DOMAIN_A);
      await waitFor('B’s copy delivered', async () => (await pair.b.t.mmsc.getRecipients(got.pdu.messageId!))[0]?.state === 'delivered');
    } finally {
      await a1.close();
      await b1.close();
      await pair.stop();
    }
  });
});
