/**
 * Withdrawn notifications: a message cancelled (MM7 CancelReq → `mmsc.cancel`) after the handset
 * was notified reaches it as an m-cancel-req in a WAP Push; its m-cancel-conf goes into the
 * recipient's history. A replaced message is notified again with X-Mms-Replace-ID. The handset
 * here is written in the test: it records the raw pushes and reads them byte by byte.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PluginInput } from '@openmmsc/core';
import routerPrefix from '@openmmsc/plugin-router-prefix';
import { serviceProvider, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import mm1, { mm1Url, type Mm1OptionsInput } from '../src/index.js';
import { fastJobs } from './helpers.js';
import { cancelConf, parse, textField, type Parsed } from './mmbox-bytes.js';
import { dissectPush, lines, shown, tsharkMissing } from './tshark.js';
import { A, B, C } from './phones.js';

const missing = tsharkMissing();

interface Push {
  to: string;
  bytes: Buffer;
  /** The WSP push read by hand: transaction id, PDU type, content type octet, and the MMS PDU. */
  wsp: { tid: number; type: number; contentType: number; body: Buffer };
  mms: Parsed;
}

/** Connectionless WSP push (WAP-230): TID, PDU type, uintvar headers length, headers, body. */
function readPush(bytes: Buffer): Push['wsp'] {
  let i = 2;
  let length = 0;
  while (bytes[i]! & 0x80) length = length * 128 + (bytes[i++]! & 0x7f);
  length = length * 128 + bytes[i++]!;
  return { tid: bytes[0]!, type: bytes[1]!, contentType: bytes[i]!, body: bytes.subarray(i + length) };
}

/** A handset on the far side of the push bearer: keeps every WAP Push it is sent. */
function testHandset() {
  const pushes: Push[] = [];
  const plugin = serviceProvider('handset-in-the-test', 'PushBearer', () => ({
    name: 'handset-in-the-test',
    push: async (request) => {
      if (!request.pdu) return { status: 'failed' as const, reason: 'this handset reads WAP Push only' };
      const bytes = Buffer.from(request.pdu);
      const wsp = readPush(bytes);
      pushes.push({ to: request.to.value, bytes, wsp, mms: parse(wsp.body) });
      return { status: 'sent' as const, reference: `sms-${pushes.length}` };
    },
  }));
  return { plugin, pushes };
}

async function start(options: Mm1OptionsInput = {}) {
  const handset = testHandset();
  const plugins: PluginInput[] = [
    { plugin: routerPrefix, options: { routes: [{ prefix: '+1555', target: 'local' }], unmatched: 'reject' } },
    { plugin: mm1, options: { port: 0, ...options } },
    handset.plugin,
  ];
  const t = await startTestMmsc({ plugins, config: { jobs: fastJobs } });
  return { t, url: mm1Url(t.mmsc)!, pushes: handset.pushes };
}

async function submit(t: TestMmsc, to: string, subject = 'from a VASP'): Promise<string> {
  const r = await t.mmsc.submit({
    message: {
      headers: { from: t.mmsc.parseAddress(A), to: [t.mmsc.parseAddress(to)], cc: [], bcc: [], subject: { text: subject }, contentType: { type: 'text/plain', params: {} } },
      parts: [{ contentType: { type: 'text/plain', params: {} }, data: Buffer.from('offer') }],
    },
    origin: { interface: 'mm7', attributes: { vaspId: 'v1' } },
  });
  assert.equal(r.status, 'accepted');
  return r.messageId;
}

const post = (url: string, body: Buffer, as: string) =>
  fetch(`${url}/mms`, { method: 'POST', headers: { 'content-type': 'application/vnd.wap.mms-message', 'x-wap-network-client-msisdn': as }, body });

describe('m-cancel-req: a cancelled message is withdrawn from the handset', () => {
  let rig: Awaited<ReturnType<typeof start>>;
  before(async () => {
    rig = await start();
  });
  after(async () => {
    await rig?.t.stop();
  });

  it('pushes an m-cancel-req (same transaction id as the notification, X-Mms-Cancel-ID the Message-ID), seen by the handset and by tshark; its m-cancel-conf goes into the history', { skip: missing }, async () => {
    const messageId = await submit(rig.t, B);
    const notification = await waitFor('notification', () => rig.pushes.find((p) => p.to === B && p.mms.fields[0]?.value[0] === 0x82));
    const tid = textField(notification.mms, 0x98)!;
    const location = textField(notification.mms, 0x83)!;
    await waitFor('notified', async () => (await rig.t.mmsc.getRecipients(messageId))[0]!.state === 'notified');

    await rig.t.mmsc.cancel(messageId, { by: '@openmmsc/plugin-mm7', reason: 'cancelled by VASP v1' });
    const cancel = await waitFor('m-cancel-req', () => rig.pushes.find((p) => p.to === B && p.mms.fields[0]?.value[0] === 0x96));
    assert.equal(cancel.wsp.type, 0x06, 'WSP Push');
    assert.equal(cancel.wsp.contentType, 0xbe, 'application/vnd.wap.mms-message');
    assert.equal(cancel.wsp.body[0], 0x8c);
    assert.equal(cancel.wsp.body[1], 0x96, 'X-Mms-Message-Type: m-cancel-req');
    assert.equal(textField(cancel.mms, 0x98), tid, 'the notification\'s transaction id');
    assert.equal(cancel.mms.fields.find((f) => f.code === 0x8d)?.value[0], 0x93, 'X-Mms-MMS-Version 1.3');
    assert.equal(textField(cancel.mms, 0xbe), messageId, 'X-Mms-Cancel-ID');

    const seen = dissectPush(cancel.bytes);
    assert.deepEqual(shown(seen, 'wsp.pdu_type'), ['0x06']);
    assert.deepEqual(shown(seen, 'wsp.header.content_type'), ['application/vnd.wap.mms-message']);
    assert.deepEqual(shown(seen, 'mmse.message_type'), ['0x96']);
    assert.deepEqual(shown(seen, 'mmse.transaction_id'), [tid]);
    assert.deepEqual(shown(seen, 'mmse.mms_version'), ['1.3']);
    assert.deepEqual(lines(seen, 'mmse.header.string'), [`Unknown field (0xbe): ${messageId} (Not decoded)`]);

    const sentEvent = await waitFor('cancel-sent', async () => (await rig.t.mmsc.getRecipients(messageId))[0]!.history.find((h) => h.event === 'cancel-sent'));
    assert.equal(sentEvent.by, 'handset-in-the-test');
    assert.equal(sentEvent.state, 'rejected');

    const stranger = await post(rig.url, cancelConf(tid, 0x80), C);
    assert.equal(stranger.status, 403, 'only the recipient answers for the recipient');
    const answer = await post(rig.url, cancelConf(tid, 0x80), B);
    assert.equal(answer.status, 200);
    await post(rig.url, cancelConf(tid, 0x80), B);
    const history = (await rig.t.mmsc.getRecipients(messageId))[0]!.history;
    const confirmed = history.filter((h) => h.event === 'cancel-confirmed');
    assert.equal(confirmed.length, 1, 'a repeated m-cancel-conf is recorded once');
    assert.equal(confirmed[0]!.reason, 'X-Mms-Cancel-Status: Cancel Request Successfully received');
    assert.equal(confirmed[0]!.by, '@openmmsc/plugin-mm1');
    assert.deepEqual(history.map((h) => h.event ?? h.state), ['received', 'routed', 'charged', 'notified', 'rejected', 'cancel-sent', 'cancel-confirmed']);

    const fetched = await fetch(location, { headers: { 'x-wap-network-client-msisdn': B } });
    assert.equal(fetched.status, 404, 'the content is no longer served');
  });

  it('records a corrupted cancel as the handset says, and refuses an m-cancel-conf without X-Mms-Cancel-Status', async () => {
    const messageId = await submit(rig.t, C);
    const notification = await waitFor('notification', () => rig.pushes.find((p) => p.to === C && p.mms.fields[0]?.value[0] === 0x82));
    const tid = textField(notification.mms, 0x98)!;
    await waitFor('notified', async () => (await rig.t.mmsc.getRecipients(messageId))[0]!.state === 'notified');
    await rig.t.mmsc.cancel(messageId, { by: 'test' });
    await waitFor('m-cancel-req', () => rig.pushes.find((p) => p.to === C && p.mms.fields[0]?.value[0] === 0x96));
    const bare = Buffer.from([0x8c, 0x97, 0x98, ...Buffer.from(tid), 0x00, 0x8d, 0x93]);
    assert.equal((await post(rig.url, bare, C)).status, 400);
    assert.equal((await post(rig.url, cancelConf(tid, 0x81), C)).status, 200);
    const last = (await rig.t.mmsc.getRecipients(messageId))[0]!.history.at(-1)!;
    assert.equal(last.event, 'cancel-confirmed');
    assert.equal(last.reason, 'X-Mms-Cancel-Status: Cancel Request corrupted');
  });

  it('a replaced message is notified again with X-Mms-Replace-ID and the new subject', { skip: missing }, async () => {
    const messageId = await submit(rig.t, A, 'old offer');
    await waitFor('notified', async () => (await rig.t.mmsc.getRecipients(messageId))[0]!.state === 'notified');
    await rig.t.mmsc.replace(messageId, { headers: { subject: { text: 'new offer' } } });
    const again = await waitFor('second notification', () => rig.pushes.filter((p) => p.to === A && p.mms.fields[0]?.value[0] === 0x82)[1]);
    assert.equal(textField(again.mms, 0xbd), messageId, 'X-Mms-Replace-ID');
    assert.equal(textField(again.mms, 0x96), 'new offer');
    assert.ok(lines(dissectPush(again.bytes), 'mmse.header.string').includes(`Unknown field (0xbd): ${messageId} (Not decoded)`));
  });
});

describe('m-cancel-req can be switched off', () => {
  it('with cancel.push false nothing is pushed on cancel', async () => {
    const rig = await start({ cancel: { push: false } });
    try {
      const messageId = await submit(rig.t, B);
      await waitFor('notified', async () => (await rig.t.mmsc.getRecipients(messageId))[0]!.state === 'notified');
      await rig.t.mmsc.cancel(messageId, { by: 'test' });
      await sleep(300);
      assert.equal(rig.pushes.length, 1);
      assert.ok(!(await rig.t.mmsc.getRecipients(messageId))[0]!.history.some((h) => h.event));
    } finally {
      await rig.t.stop();
    }
  });
});
