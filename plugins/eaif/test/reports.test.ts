import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { parseAddress } from '@openmmsc/core';
import { waitFor, suiteFixture } from '@openmmsc/testkit';
import { requireSystem } from '@openmmsc/testkit/system';
import { eaifHeaders, startHarness } from './harness.js';
import { sendReq } from './pdu-bytes.js';
import { assertMmse, basic, dissectHttp, post } from './wire.js';

const skip = requireSystem('tshark');

describe('EAIF reports: MMSC → the application that submitted', { skip }, () => {
  const h = suiteFixture(() => startHarness());

  /** `news` submits to a local handset, which is notified; returns the message id. */
  async function submit(tx: string, to: string, reports: { deliveryReport?: boolean; readReport?: boolean }): Promise<string> {
    const res = await post(h.url, eaifHeaders(), sendReq({ transactionId: tx, from: '12345/TYPE=PLMN', to: [`${to}/TYPE=PLMN`], subject: tx, ...reports }));
    assert.equal(res.status, 204, res.body);
    const id = res.headers['x-nokia-mmsc-message-id'] as string;
    await waitFor('notified', async () => (await h.t.mmsc.getRecipients(id))[0]?.state === 'notified');
    return id;
  }

  const reportFor = (id: string, type: string) =>
    waitFor(`${type} for ${id}`, () => h.app.received.find((r) => r.url === '/reports' && r.headers['x-nokia-mmsc-message-id'] === id && r.headers['x-nokia-mmsc-message-type'] === type));

  it('POSTs a delivery report as an m-delivery-ind with X-NOKIA-MMSC-Message-Type: DeliveryReport, which tshark reads', async () => {
    const id = await submit('dr-1', '+15550000021', { deliveryReport: true });
    await h.t.mmsc.transition(id, 0, 'delivered', { by: 'test-handset' });
    const req = await reportFor(id, 'DeliveryReport');
    assert.equal(req.headers['content-type'], 'application/vnd.wap.mms-message');
    assert.equal(req.headers['x-nokia-mmsc-from'], '+15550000021/TYPE=PLMN', 'the recipient the report is about');
    assert.equal(req.headers['x-nokia-mmsc-to'], '12345/TYPE=PLMN', 'the application\'s address');
    assert.equal(req.headers['x-nokia-mmsc-version'], '3.0');
    assert.equal(req.headers.authorization, basic('mmsc', 'to-app'));
    const d = assertMmse(req.wire(), 'm-delivery-ind', {
      message_type: ['0x86'],
      message_id: [id],
      to: ['+15550000021/TYPE=PLMN'],
      status: ['0x81'], // Retrieved
    });
    assert.equal(d.field('mmse.date').length, 1);
  });

  it('POSTs a read report as an m-read-orig-ind with X-NOKIA-MMSC-Message-Type: ReadReply', async () => {
    const id = await submit('rr-1', '+15550000022', { readReport: true });
    await h.t.mmsc.sendReport(id, { kind: 'read', messageId: id, recipient: parseAddress('+15550000022'), status: 'read', at: Date.now() });
    const req = await reportFor(id, 'ReadReply');
    assert.equal(req.headers['x-nokia-mmsc-from'], '+15550000022/TYPE=PLMN');
    assertMmse(req.wire(), 'm-read-orig-ind', {
      message_type: ['0x88'],
      message_id: [id],
      from: ['+15550000022/TYPE=PLMN'],
      to: ['12345/TYPE=PLMN'],
      read_status: ['0x80'], // Read
    });
  });

  it('sends a report again when the application answers 500, and sends none that was not asked for', async () => {
    h.app.script.push({ status: 500 });
    const id = await submit('dr-2', '+15550000023', { deliveryReport: true });
    await h.t.mmsc.transition(id, 0, 'rejected', { by: 'test-handset', reason: 'handset refused it' });
    await waitFor('the second attempt', () => h.app.received.filter((r) => r.url === '/reports' && r.headers['x-nokia-mmsc-message-id'] === id).length === 2);
    const d = dissectHttp((await reportFor(id, 'DeliveryReport')).wire());
    assert.deepEqual(d.field('mmse.status'), ['0x82'], 'Rejected');

    const quiet = await submit('dr-3', '+15550000024', {});
    await h.t.mmsc.transition(quiet, 0, 'delivered', { by: 'test-handset' });
    await sleep(300);
    assert.equal(h.app.received.filter((r) => r.headers['x-nokia-mmsc-message-id'] === quiet).length, 0);
  });
});
