import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor, suiteFixture } from '@openmmsc/testkit';
import { pipelineCounter, postPdu, startRig } from './helpers.js';
import { fakeJpeg, octetOf, sendReqBytes, textOf } from './pdu-bytes.js';
import { A, B } from './phones.js';

const OK = 0x80;

async function post(url: string, body: Uint8Array, msisdn = A): Promise<Buffer> {
  const res = await postPdu(url, body, msisdn);
  assert.equal(res.status, 200);
  assert.equal(res.type, 'application/vnd.wap.mms-message');
  return res.body;
}

describe('a handset retrying an m-send-req after a timeout', () => {
  const counter = pipelineCounter();
  const rig = suiteFixture(() => startRig({ bearer: 'direct', phones: [{ msisdn: B, mode: 'manual' }], extraPlugins: [counter.plugin] }));

  const notificationsFor = (messageId: string) => rig.pushes.filter((p) => p.notification.messageId === messageId).length;

  it('the same bytes twice: one message, one notification, the same m-send-conf (same Message-ID)', async () => {
    const bytes = sendReqBytes({ transactionId: 'retry-1', to: B, text: 'did this go?', jpeg: fakeJpeg(800, 5) });
    const first = await post(rig.url, bytes);
    const second = await post(rig.url, bytes);
    assert.equal(octetOf(first, 0x92), OK);
    assert.equal(octetOf(second, 0x92), OK);
    const id = textOf(first, 0x8b)!;
    assert.ok(id);
    assert.equal(textOf(second, 0x8b), id);
    assert.deepEqual(second, first, 'the very same m-send-conf');
    assert.equal(counter.received.filter((x) => x === id).length, 1);
    assert.equal(counter.received.length, 1, 'the retry never reached the pipeline');
    await waitFor('notified', () => notificationsFor(id) === 1);
    await sleep(300);
    assert.equal(notificationsFor(id), 1, 'notified once');
  });

  it('the same transaction id with other content is a new message (handsets restart their counters)', async () => {
    const one = await post(rig.url, sendReqBytes({ transactionId: 'retry-2', to: B, text: 'first', jpeg: fakeJpeg(800, 6) }));
    const two = await post(rig.url, sendReqBytes({ transactionId: 'retry-2', to: B, text: 'second', jpeg: fakeJpeg(800, 6) }));
    const a = textOf(one, 0x8b)!;
    const b = textOf(two, 0x8b)!;
    assert.ok(a && b);
    assert.notEqual(a, b);
    await waitFor('both notified', () => notificationsFor(a) === 1 && notificationsFor(b) === 1);
    assert.ok(await rig.t.mmsc.getMessage(a));
    assert.ok(await rig.t.mmsc.getMessage(b));
  });

  it('the same transaction id and content from another sender is that sender\'s own message', async () => {
    const bytes = sendReqBytes({ transactionId: 'retry-3', to: B, text: 'same words', jpeg: fakeJpeg(800, 8) });
    const fromA = textOf(await post(rig.url, bytes, A), 0x8b);
    const fromC = textOf(await post(rig.url, bytes, '+15550000003'), 0x8b);
    assert.ok(fromA && fromC);
    assert.notEqual(fromA, fromC);
  });
});
