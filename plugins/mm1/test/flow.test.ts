import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodePdu } from '@openmmsc/codec';
import { HttpClient, makePng, waitFor, suiteFixture } from '@openmmsc/testkit';
import { historyOf, startRig, stateOf } from './helpers.js';
import { A, B, C, D, E } from './phones.js';

describe('MM1 over real sockets (SMPP push to a simulated SMSC)', () => {
  const http = new HttpClient(2);
  const rig = suiteFixture(() => startRig({
    phones: [{ msisdn: A }, { msisdn: B }, { msisdn: C, mode: 'fetch-acknowledge' }, { msisdn: D, mode: 'manual' }, { msisdn: E, mode: 'manual' }],
  }));
  after(() => http.close());

  it('send → push over SMPP → fetch → m-notifyresp-ind Retrieved → delivery report to the sender', async () => {
    const a = rig.phone(A);
    const b = rig.phone(B);
    const image = makePng(120, 80, 3);
    const sent = await a.send({ to: B, subject: 'Hi', text: 'Hello B', attachments: [{ contentType: 'image/png', data: image, name: 'pic.png' }], deliveryReport: true });
    assert.equal(sent.httpStatus, 200);
    assert.equal(sent.status, 'ok');
    assert.ok(sent.messageId);
    const n = await b.waitForNotification((x) => x.subject?.text === 'Hi');
    assert.match(n.contentLocation ?? '', new RegExp(`^${rig.url}/m/`));
    assert.equal(n.from?.address, A);
    assert.equal(n.messageClass, 'personal');
    assert.ok((n.messageSize ?? 0) >= image.length);
    const m = await b.waitForMessage((x) => x.pdu.messageId === sent.messageId);
    assert.deepEqual(m.texts, ['Hello B']);
    assert.equal(m.pdu.from?.address, A);
    assert.deepEqual(Buffer.from(m.parts[1]!.data), image);
    const report = await a.waitForDeliveryReport((r) => r.messageId === sent.messageId);
    assert.equal(report.status, 'retrieved');
    assert.equal(report.to?.[0]?.address, B);
    await waitFor('delivered', async () => (await stateOf(rig, sent.messageId!)) === 'delivered');
    assert.deepEqual(await historyOf(rig, sent.messageId!), ['received', 'routed', 'charged', 'notified', 'retrieved', 'delivered']);
    // The push of a notification with a URL does not fit one SMS: it went as several and was reassembled.
    assert.ok(rig.smsc!.submits.some((s) => s.destinationAddr.endsWith('15550000002') && (s.esmClass & 0x40) !== 0));
  });

  it('fetch → m-acknowledge-ind → delivered, and the report can be fetched again from its URL', async () => {
    const a = rig.phone(A);
    const c = rig.phone(C);
    const sent = await a.send({ to: C, text: 'ack me', deliveryReport: true });
    assert.equal(sent.status, 'ok');
    await c.waitForMessage((x) => x.pdu.messageId === sent.messageId);
    const report = await a.waitForDeliveryReport((r) => r.messageId === sent.messageId);
    assert.equal(report.status, 'retrieved');
    const h = await historyOf(rig, sent.messageId!);
    assert.deepEqual(h.slice(-2), ['retrieved', 'delivered']);
    const rec = (await rig.t.mmsc.getRecipients(sent.messageId!))[0]!;
    assert.equal(rec.history.at(-1)?.reason, 'acknowledged (m-acknowledge-ind)');
  });

  /** A sends `text` to `to` asking for a delivery report; `to` answers the notification with `status` (HTTP 200). */
  async function answerNotification(to: string, text: string, status: 'deferred' | 'rejected') {
    const a = rig.phone(A);
    const phone = rig.phone(to);
    const sent = await a.send({ to, text, deliveryReport: true });
    const n = await phone.waitForNotification();
    assert.equal(await phone.notifyResp(n, status), 200);
    return { a, phone, sent, n };
  }

  it('deferred: the sender hears Deferred, no more notifications, and the handset fetches later', async () => {
    const { a, phone: d, sent, n } = await answerNotification(D, 'later', 'deferred');
    const deferred = await a.waitForDeliveryReport((r) => r.messageId === sent.messageId && r.status === 'deferred');
    assert.equal(deferred.to?.[0]?.address, D);
    await waitFor('notified', async () => (await stateOf(rig, sent.messageId!)) === 'notified');
    const got = await d.fetch(n);
    assert.equal(got.httpStatus, 200);
    assert.equal(await d.acknowledge(got.pdu.transactionId!), 200);
    const done = await a.waitForDeliveryReport((r) => r.messageId === sent.messageId && r.status === 'retrieved');
    assert.ok(done);
    assert.equal(await stateOf(rig, sent.messageId!), 'delivered');
  });

  it('rejected: m-notifyresp-ind Rejected produces the Rejected report, and the content is gone', async () => {
    const { a, sent, n } = await answerNotification(E, 'no thanks', 'rejected');
    const r = await a.waitForDeliveryReport((x) => x.messageId === sent.messageId);
    assert.equal(r.status, 'rejected');
    assert.equal(await stateOf(rig, sent.messageId!), 'rejected');
    const res = await http.send(n.contentLocation!, { headers: { 'x-wap-network-client-msisdn': E } });
    assert.equal(res.status, 404);
    const pdu = decodePdu(res.body);
    assert.equal(pdu.messageType, 'm-retrieve-conf');
    assert.equal(pdu.messageType === 'm-retrieve-conf' && pdu.retrieveStatus, 'error-permanent-message-not-found');
  });

  it('read report: m-read-rec-ind from the recipient becomes m-read-orig-ind to the sender', async () => {
    const a = rig.phone(A);
    const b = rig.phone(B);
    const sent = await a.send({ to: B, text: 'read me', readReport: true });
    const m = await b.waitForMessage((x) => x.pdu.messageId === sent.messageId);
    assert.equal(m.pdu.readReport, true);
    assert.equal(await b.sendReadReport(m), 200);
    const rr = await a.waitForReadReport((x) => x.messageId === sent.messageId);
    assert.equal(rr.readStatus, 'read');
    assert.equal(rr.from?.address, B);
    assert.equal(rr.to?.[0]?.address, A);
  });

  it('forward: a recipient forwards a message held on the MMSC; the sender hears Forwarded', async () => {
    const a = rig.phone(A);
    const e = rig.phone(E);
    const b = rig.phone(B);
    const sent = await a.send({ to: E, subject: 'fw', text: 'pass it on', deliveryReport: true });
    const n = await e.waitForNotification((x) => x.subject?.text === 'fw');
    const fwd = await e.forward(n, B, { deliveryReport: true });
    assert.equal(fwd.httpStatus, 200);
    assert.equal(fwd.status, 'ok');
    assert.ok(fwd.messageId && fwd.messageId !== sent.messageId);
    const got = await b.waitForMessage((x) => x.pdu.messageId === fwd.messageId);
    assert.deepEqual(got.texts, ['pass it on']);
    assert.equal(got.pdu.from?.address, E);
    const r = await a.waitForDeliveryReport((x) => x.messageId === sent.messageId);
    assert.equal(r.status, 'forwarded');
    // The forwarder gets the delivery report of the forwarded message.
    const r2 = await e.waitForDeliveryReport((x) => x.messageId === fwd.messageId);
    assert.equal(r2.status, 'retrieved');
    // Nobody else may forward it.
    const stranger = await rig.phone(D).forward(n, B);
    assert.equal(stranger.status, 'error-permanent-service-denied');
  });

  it('sender visibility hide: neither the notification nor the retrieved message shows the sender', async () => {
    const a = rig.phone(A);
    const b = rig.phone(B);
    const sent = await a.send({ to: B, subject: 'secret admirer', text: '?', senderVisibility: 'hide', deliveryReport: true });
    const n = await b.waitForNotification((x) => x.subject?.text === 'secret admirer');
    assert.equal(n.from, undefined);
    const m = await b.waitForMessage((x) => x.pdu.messageId === sent.messageId);
    assert.equal(m.pdu.from, undefined);
    // The sender still gets the report.
    assert.equal((await a.waitForDeliveryReport((r) => r.messageId === sent.messageId)).status, 'retrieved');
  });

  it('HEAD and Range on the content location, without moving the recipient', async () => {
    const a = rig.phone(A);
    const d = rig.phone(D);
    const sent = await a.send({ to: D, subject: 'ranges', text: 'x'.repeat(500) });
    const n = await d.waitForNotification((x) => x.subject?.text === 'ranges');
    const asD = { 'x-wap-network-client-msisdn': D };
    const head = await http.send(n.contentLocation!, { method: 'HEAD', headers: asD });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-type'], 'application/vnd.wap.mms-message');
    const size = Number(head.headers['content-length']);
    assert.ok(size > 500);
    assert.equal(head.body.length, 0);
    const first = await http.send(n.contentLocation!, { headers: { ...asD, range: 'bytes=0-99' } });
    assert.equal(first.status, 206);
    assert.equal(first.body.length, 100);
    assert.equal(first.headers['content-range'], `bytes 0-99/${size}`);
    await sleep(50);
    assert.equal(await stateOf(rig, sent.messageId!), 'notified');
    const rest = await http.send(n.contentLocation!, { headers: { ...asD, range: 'bytes=100-' } });
    assert.equal(rest.status, 206);
    const whole = decodePdu(Buffer.concat([first.body, rest.body]));
    assert.equal(whole.messageType, 'm-retrieve-conf');
    await waitFor('retrieved after the last byte', async () => (await stateOf(rig, sent.messageId!)) === 'retrieved');
    const bad = await http.send(`${rig.url}/m/${'a'.repeat(20)}.0.${'A'.repeat(22)}`);
    assert.equal(bad.status, 404);
    assert.equal(decodePdu(bad.body).messageType, 'm-retrieve-conf');
  });
});

describe('expiry and re-notification', () => {
  const rig = suiteFixture(() => startRig({
    phones: [{ msisdn: A }, { msisdn: D, mode: 'manual' }, { msisdn: E, mode: 'manual' }],
    config: { jobs: { renotify: { after: 150, max: 3 } } },
  }));

  it('expired: unfetched until X-Mms-Expiry → the Expired report; the URL then answers expired', async () => {
    const a = rig.phone(A);
    const d = rig.phone(D);
    const sent = await a.send({ to: D, subject: 'short-lived', text: 'soon gone', expirySeconds: 1, deliveryReport: true });
    const n = await d.waitForNotification((x) => x.subject?.text === 'short-lived');
    const r = await a.waitForDeliveryReport((x) => x.messageId === sent.messageId, 8000);
    assert.equal(r.status, 'expired');
    assert.equal(await stateOf(rig, sent.messageId!), 'expired');
    const got = await d.fetch(n);
    assert.equal(got.httpStatus, 404);
    assert.equal(got.pdu.retrieveStatus, 'error-permanent-message-not-found');
    assert.match(got.pdu.retrieveText?.text ?? '', /expired/);
  });

  it('re-notifies an unfetched message with back-off, and stops once the handset deferred', async () => {
    const a = rig.phone(A);
    const e = rig.phone(E);
    const sent = await a.send({ to: E, subject: 'nudge', text: 'are you there' });
    await waitFor('three notifications', () => e.notifications.filter((x) => x.pdu.subject?.text === 'nudge').length >= 3, { timeoutMs: 5000 });
    const n = e.notifications.find((x) => x.pdu.subject?.text === 'nudge')!.pdu;
    // Every notification points at the same content location and transaction.
    assert.equal(new Set(e.notifications.filter((x) => x.pdu.subject?.text === 'nudge').map((x) => x.pdu.contentLocation)).size, 1);
    const sent2 = await a.send({ to: E, subject: 'deferred', text: 'later' });
    const n2 = await e.waitForNotification((x) => x.subject?.text === 'deferred');
    await e.notifyResp(n2, 'deferred');
    await sleep(700);
    assert.equal(e.notifications.filter((x) => x.pdu.subject?.text === 'deferred').length, 1);
    assert.equal(await stateOf(rig, sent2.messageId!), 'notified');
    void n;
    void sent;
  });
});
