import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChargingEvent } from '@openmmsc/core';
import { serviceProvider, waitFor, suiteFixture } from '@openmmsc/testkit';
import { eaifHeaders, startHarness } from './harness.js';
import { LITERAL_SEND_REQ, sendReq, textPart } from './pdu-bytes.js';
import { post } from './wire.js';

/** A charging backend that keeps what it saw, to check what charging plugins can read. */
function recordingCharging() {
  const events: ChargingEvent[] = [];
  const plugin = serviceProvider('test-charging', 'ChargingBackend', () => ({ name: 'test-charging', record: async (e) => void events.push(e) }));
  return { plugin, events };
}

describe('EAIF submissions: application → MMSC', () => {
  const charging = recordingCharging();
  const h = suiteFixture(() => startHarness({ plugins: [charging.plugin] }));

  it('accepts a hand-written m-send-req with 204 and X-NOKIA-MMSC-Message-Id, maps its EAIF headers and notifies the handset', async () => {
    const res = await post(
      h.url,
      eaifHeaders({ 'X-NOKIA-MMSC-Charging': '100', 'X-NOKIA-MMSC-Charged-Party': 'Recipient', 'X-NOKIA-MMSC-Version': '3.0', 'X-NOKIA-MMSC-Message-Type': 'MultiMediaMessage' }),
      LITERAL_SEND_REQ,
    );
    assert.equal(res.status, 204, res.body);
    assert.equal(res.body, '');
    const id = res.headers['x-nokia-mmsc-message-id'];
    assert.ok(typeof id === 'string' && id.length > 0, 'X-NOKIA-MMSC-Message-Id in the answer');
    assert.equal(res.headers['x-nokia-mmsc-version'], '3.0');

    const stored = await h.t.mmsc.getMessage(id);
    assert.ok(stored);
    assert.deepEqual(stored.headers.from, { type: 'shortcode', value: '12345' });
    assert.deepEqual(stored.headers.to, [{ type: 'plmn', value: '+15550000002' }]);
    assert.equal(stored.headers.subject?.text, 'Hi');
    assert.equal(stored.headers.deliveryReport, true);
    assert.equal(stored.origin.interface, 'eaif');
    assert.equal(stored.origin.peer, 'news');
    assert.deepEqual(
      { ...stored.origin.attributes },
      { vaspId: 'news', channel: 'eaif', transactionId: 'app-tx-1', charging: '100', chargedParty: 'Recipient', eaifVersion: '3.0' },
    );
    assert.equal(stored.headers.extra?.['X-NOKIA-MMSC-Charging'], '100');
    assert.equal(stored.headers.extra?.['X-NOKIA-MMSC-Charged-Party'], 'Recipient');
    const parts = await h.t.mmsc.getParts(id);
    assert.equal(parts?.length, 1);
    assert.equal(parts![0]!.contentType.type, 'text/plain');
    assert.equal(parts![0]!.contentLocation, 'text.txt');
    assert.equal(Buffer.from(parts![0]!.data).toString(), 'Hello');

    const push = await waitFor('notification to the handset', () => h.pushes.find((p) => p.to.value === '+15550000002'));
    assert.equal(push.to.type, 'plmn');
    const submission = await waitFor('submission charging event', () => charging.events.find((e) => e.type === 'submission' && e.message.id === id));
    assert.equal(submission.message.origin.attributes?.chargedParty, 'Recipient', 'charging backends read the charged party');
    assert.equal(submission.message.origin.attributes?.charging, '100');
  });

  it('takes recipients from X-NOKIA-MMSC-To (repeated and comma-separated) and the sender from X-NOKIA-MMSC-From', async () => {
    const body = sendReq({ transactionId: 'to-override', from: 'insert', to: ['+15550000099/TYPE=PLMN'], subject: 'override' });
    const res = await post(
      h.url,
      { ...eaifHeaders(), 'X-NOKIA-MMSC-From': 'news@example.com', 'X-NOKIA-MMSC-To': ['+15550000003/TYPE=PLMN, +15550000004', '+15550000005'] },
      body,
    );
    assert.equal(res.status, 204, res.body);
    const stored = await h.t.mmsc.getMessage(res.headers['x-nokia-mmsc-message-id'] as string);
    assert.deepEqual(stored?.headers.from, { type: 'email', value: 'news@example.com' });
    assert.deepEqual(
      stored?.headers.to.map((a) => a.value),
      ['+15550000003', '+15550000004', '+15550000005'],
    );
    for (const n of ['+15550000003', '+15550000004', '+15550000005']) await waitFor(`push to ${n}`, () => h.pushes.find((p) => p.to.value === n));
    assert.equal(h.pushes.filter((p) => p.to.value === '+15550000099').length, 0, 'the PDU recipient was replaced');
  });

  it('fills an inserted sender with the application\'s default sender (its first short code)', async () => {
    const res = await post(h.url, eaifHeaders(), sendReq({ transactionId: 'insert-1', from: 'insert', to: ['+15550000006/TYPE=PLMN'] }));
    assert.equal(res.status, 204, res.body);
    const stored = await h.t.mmsc.getMessage(res.headers['x-nokia-mmsc-message-id'] as string);
    assert.deepEqual(stored?.headers.from, { type: 'shortcode', value: '12345' });
  });

  it('answers a retransmission (same transaction id, same content) with the first message id and stores nothing new', async () => {
    const body = sendReq({ transactionId: 'retx-1', from: '12345/TYPE=PLMN', to: ['+15550000007/TYPE=PLMN'], subject: 'once', parts: [textPart('only once')] });
    const first = await post(h.url, eaifHeaders(), body);
    const again = await post(h.url, eaifHeaders(), body);
    assert.equal(first.status, 204);
    assert.equal(again.status, 204);
    assert.equal(again.headers['x-nokia-mmsc-message-id'], first.headers['x-nokia-mmsc-message-id']);
    await waitFor('push to +15550000007', () => h.pushes.find((p) => p.to.value === '+15550000007'));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.pushes.filter((p) => p.to.value === '+15550000007').length, 1, 'notified once');

    // The same transaction id for other content is a new message, not dropped.
    const other = await post(h.url, eaifHeaders(), sendReq({ transactionId: 'retx-1', from: '12345/TYPE=PLMN', to: ['+15550000007/TYPE=PLMN'], subject: 'another' }));
    assert.equal(other.status, 204);
    assert.notEqual(other.headers['x-nokia-mmsc-message-id'], first.headers['x-nokia-mmsc-message-id']);
  });

  it('recognises a retransmission by X-NOKIA-MMSC-Message-Id when the application renumbers its transactions', async () => {
    const headers = eaifHeaders({ 'X-NOKIA-MMSC-Message-Id': 'news-0001' });
    const first = await post(h.url, headers, sendReq({ transactionId: 'a', from: '12345/TYPE=PLMN', to: ['+15550000008/TYPE=PLMN'], subject: 'by id' }));
    const again = await post(h.url, headers, sendReq({ transactionId: 'b', from: '12345/TYPE=PLMN', to: ['+15550000008/TYPE=PLMN'], subject: 'by id' }));
    assert.equal(first.status, 204);
    assert.equal(again.headers['x-nokia-mmsc-message-id'], first.headers['x-nokia-mmsc-message-id']);
    const stored = await h.t.mmsc.getMessage(first.headers['x-nokia-mmsc-message-id'] as string);
    assert.equal(stored?.origin.attributes?.applicationMessageId, 'news-0001');
  });
});
