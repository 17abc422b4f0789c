import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mm1, { mm1Url } from '@openmmsc/plugin-mm1';
import { SimulatedHandset, SimulatedVasp, handsetPushBearer, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import mm7, { mm7BaseUrl } from '../src/index.js';
import { type DeliverReq, type DeliveryReportReq, type Mm7Client } from '@openmmsc/mm7';
import { imagePart, localPhones, PASSWORD, textPart } from './helpers.js';

/** The real path: MM7 SubmitReq → MM1 notification (WAP Push) → handset fetches over HTTP → delivery report back over MM7. */
describe('MM7 with the MM1 plugin and a simulated handset', () => {
  let t: TestMmsc;
  let vasp: SimulatedVasp;
  let phone: SimulatedHandset;
  let client: Mm7Client;
  before(async () => {
    vasp = await SimulatedVasp.start();
    const push = handsetPushBearer();
    t = await startTestMmsc({
      config: { jobs: { notify: { backoffBase: 50, backoffMax: 200, jitter: 0 }, deliver: { backoffBase: 50, backoffMax: 200, jitter: 0 }, report: { backoffBase: 50, backoffMax: 200, jitter: 0 } } },
      plugins: [
        localPhones,
        { plugin: mm1, options: { port: 0 } },
        { plugin: mm7, options: { port: 0, vasps: [{ id: 'acme', password: PASSWORD, shortCodes: ['12345'], url: vasp.url }] } },
        push.plugin,
      ],
    });
    phone = new SimulatedHandset({ msisdn: '+15550000060', mmscUrl: `${mm1Url(t.mmsc)}/mms` });
    push.attach(phone);
    client = vasp.client({ url: `${mm7BaseUrl(t.mmsc)}/mm7`, vaspId: 'acme', password: PASSWORD, release: 'REL-5-MM7-1-2' });
  });
  after(async () => {
    await phone.close();
    await t.stop();
    await vasp.stop();
  });

  it('SubmitReq → notification → retrieval by the handset → DeliveryReportReq to the VASP', async () => {
    const answer = await client.submit({ to: ['+15550000060'], from: '12345', subject: 'Statement', deliveryReport: true, parts: [textPart('Your May statement'), imagePart(12_000)] });
    assert.equal(answer.status?.code, 1000, JSON.stringify(answer.status ?? answer.error));
    const got = await waitFor('the handset retrieved the message', () => phone.messages[0]);
    assert.deepEqual(got.texts, ['Your May statement']);
    assert.ok(got.parts.some((p) => p.data.byteLength === 12_000), 'the 12 KB image arrives');
    const report = await waitFor('DeliveryReportReq', () => vasp.deliveryReports().find((r) => (r.body as DeliveryReportReq).messageId === answer.messageId));
    assert.equal((report.body as DeliveryReportReq).mmStatus, 'Retrieved');
    assert.equal(report.release.name, 'REL-6-MM7-1-4'); // the VASP's configured dialect, not the submit's release
  });

  it('an MMS from the handset to the short code reaches the VASP as DeliverReq', async () => {
    // The simulated handset writes every address as +digits; a real one sends a short code as `12345/TYPE=PLMN`.
    const pdu = phone.buildSendReq({ to: '+15550000099', subject: 'JOIN', text: 'join the club' });
    pdu.to = [{ address: '12345', type: 'PLMN' }];
    const sent = await phone.sendPdu(pdu);
    assert.equal(sent.status, 'ok', JSON.stringify(sent));
    const mo = await waitFor('DeliverReq', () => vasp.deliveries().find((r) => (r.body as DeliverReq).subject === 'JOIN'));
    assert.equal((mo.body as DeliverReq).sender.value, '+15550000060');
    assert.ok(mo.parts.some((p) => Buffer.from(p.data).toString() === 'join the club'));
  });
});
