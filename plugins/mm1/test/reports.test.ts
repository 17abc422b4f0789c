import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { decodePdu, decodeWapPush } from '@openmmsc/codec';
import { HttpClient, waitFor, suiteFixture } from '@openmmsc/testkit';
import { startRig, stateOf } from './helpers.js';
import { A, B, C } from './phones.js';

describe('delivery reports to the sender', () => {
  const http = new HttpClient(2);
  const rig = suiteFixture(() => startRig({ phones: [{ msisdn: A }, { msisdn: B, mode: 'manual' }, { msisdn: C }] }));
  after(() => http.close());

  it('Unreachable: the SMSC refuses the notification for good → recipient rejected, report Unreachable', async () => {
    rig.smsc!.failNext(1, 0x0b); // ESME_RINVDSTADR
    const sent = await rig.phone(A).send({ to: B, subject: 'nowhere', text: 'x', deliveryReport: true });
    const r = await rig.phone(A).waitForDeliveryReport((x) => x.messageId === sent.messageId);
    assert.equal(r.status, 'unreachable');
    assert.equal(await stateOf(rig, sent.messageId!), 'rejected');
  });

  it('Indeterminate (and every kernel status) reaches the sender as m-delivery-ind', async () => {
    const sent = await rig.phone(A).send({ to: B, subject: 'status', text: 'x', deliveryReport: true });
    for (const status of ['indeterminate', 'forwarded', 'deferred'] as const) {
      await rig.t.mmsc.sendReport(sent.messageId!, { kind: 'delivery', messageId: sent.messageId!, recipient: rig.t.mmsc.parseAddress(B), status, at: Date.now() });
      const r = await rig.phone(A).waitForDeliveryReport((x) => x.messageId === sent.messageId && x.status === status);
      assert.equal(r.to?.[0]?.address, B);
    }
  });

  it('no report when the sender did not ask, or the recipient did not allow it', async () => {
    const quiet = await rig.phone(A).send({ to: C, subject: 'quiet', text: 'x' });
    await rig.phone(C).waitForMessage((m) => m.pdu.messageId === quiet.messageId);
    await waitFor('delivered', async () => (await stateOf(rig, quiet.messageId!)) === 'delivered');
    const shy = await rig.phone(A).send({ to: B, subject: 'shy', text: 'x', deliveryReport: true });
    const n = await rig.phone(B).waitForNotification((x) => x.subject?.text === 'shy');
    const got = await rig.phone(B).fetch(n);
    assert.equal(await rig.phone(B).acknowledge(got.pdu.transactionId!, false), 200);
    await waitFor('delivered', async () => (await stateOf(rig, shy.messageId!)) === 'delivered');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rig.phone(A).deliveryReports.filter((r) => r.messageId === quiet.messageId || r.messageId === shy.messageId).length, 0);
  });

  it('m-notifyresp-ind from someone other than the recipient is refused (403), without identity too', async () => {
    const sent = await rig.phone(A).send({ to: B, subject: 'mine', text: 'x', deliveryReport: true });
    const n = await rig.phone(B).waitForNotification((x) => x.subject?.text === 'mine');
    assert.equal(await rig.phone(C).notifyResp(n, 'rejected'), 403);
    const anon = rig.addPhone({ msisdn: B, msisdnHeader: null, mode: 'manual' });
    assert.equal(await anon.notifyResp(n, 'rejected'), 403);
    assert.equal(await rig.phone(B).notifyResp('bogus-transaction', 'rejected'), 400);
    assert.notEqual(await stateOf(rig, sent.messageId!), 'rejected');
  });
});

describe('reports stay retrievable', () => {
  const http = new HttpClient(2);
  const rig = suiteFixture(() => startRig({ bearer: 'direct', phones: [{ msisdn: A }, { msisdn: B }] }));
  after(() => http.close());

  it('the URL handed to the push bearer with a report serves the same m-delivery-ind / m-read-orig-ind', async () => {
    const sent = await rig.phone(A).send({ to: B, subject: 'again', text: 'x', deliveryReport: true, readReport: true });
    const m = await rig.phone(B).waitForMessage((x) => x.pdu.messageId === sent.messageId);
    await rig.phone(B).sendReadReport(m);
    await rig.phone(A).waitForReadReport((x) => x.messageId === sent.messageId);
    await rig.phone(A).waitForDeliveryReport((x) => x.messageId === sent.messageId);
    const pushed = rig.pushes.filter((p) => p.to.value === A);
    const delivery = pushed.find((p) => p.notification.kind === 'delivery-report')!;
    const read = pushed.find((p) => p.notification.kind === 'read-report')!;
    for (const [p, type] of [[delivery, 'm-delivery-ind'], [read, 'm-read-orig-ind']] as const) {
      assert.match(p.notification.contentLocation ?? '', new RegExp(`^${rig.url}/r/`));
      const res = await http.send(p.notification.contentLocation!);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/vnd.wap.mms-message');
      assert.deepEqual(res.body, Buffer.from(decodeWapPush(p.pdu!).body));
      assert.equal(decodePdu(res.body).messageType, type);
    }
    const forged = await http.send(`${rig.url}/r/eyJrIjoiZCJ9.AAAAAAAAAAAAAAAAAAAAAA`);
    assert.equal(forged.status, 404);
  });
});
