import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PushRequest } from '@openmmsc/core';
import { buildMessage, HttpClient, waitFor } from '@openmmsc/testkit';
import { factsFromHeaders } from '../src/dialects.js';
import { startRig, type Rig } from './helpers.js';
import { acknowledgeIndBytes, headerFields, notifyRespIndBytes } from './pdu-bytes.js';
import { A, B, C, E, PDU_TYPE, as } from './phones.js';

const RANGED = '+15550000091';
const MMS_VERSION = 0x8d;
const EXPIRY = 0x88;
const CONTENT_LOCATION = 0x83;
const V1_0 = 0x90;
const V1_2 = 0x92;

const OLD_STACK = {
  name: 'old-stack',
  match: { userAgent: ['^OldStack/'], uaProf: ['^http://oldstack\\.example/'] },
  dialect: { expiry: 'absolute' as const, acknowledgeStatus: 204 as const, mmsVersion: '1.0' },
};
const RANGE = { name: 'range', match: { msisdn: ['+1555000009'] }, dialect: { publicUrl: 'http://mms.range.example:8080/' } };

/** The m-notification-ind inside a WSP push, read byte by byte (WAP-230-WSP 8.2.4.1). */
function notificationOf(push: PushRequest): Map<number, Uint8Array> {
  const b = push.pdu!;
  assert.equal(b[1], 0x06, 'a WSP Push PDU');
  let i = 2;
  let headersLength = 0;
  while (b[i]! & 0x80) headersLength = (headersLength << 7) | (b[i++]! & 0x7f);
  headersLength = (headersLength << 7) | b[i++]!;
  const body = b.subarray(i + headersLength);
  assert.equal(body[1], 0x82, 'an m-notification-ind');
  return headerFields(body);
}

/** X-Mms-Expiry as { relative seconds } or { absolute epoch seconds } (Value-length, token, Long-integer). */
function expiryOf(fields: Map<number, Uint8Array>): { relative?: number; absolute?: number } {
  const v = fields.get(EXPIRY)!;
  const token = v[1];
  const length = v[2]!;
  let n = 0;
  for (let k = 0; k < length; k++) n = n * 256 + v[3 + k]!;
  return token === 0x81 ? { relative: n } : { absolute: n };
}

const contentLocationOf = (fields: Map<number, Uint8Array>) => Buffer.from(fields.get(CONTENT_LOCATION)!.subarray(0, -1)).toString('latin1');

describe('handset dialects', () => {
  let rig: Rig;
  const http = new HttpClient(2);
  const post = (body: Buffer, headers: Record<string, string>) => http.send(`${rig.url}/mms`, { method: 'POST', body, headers: { 'content-type': PDU_TYPE, ...headers } });

  /** Submits A → `to` and returns its push, once the recipient is notified. */
  async function notify(to: string, subject: string): Promise<{ messageId: string; push: PushRequest; expiresAt: number }> {
    const sent = await rig.t.mmsc.submit({ message: buildMessage({ from: A, to, subject }), origin: { interface: 'api' } });
    assert.equal(sent.status, 'accepted');
    const push = await waitFor('pushed', () => rig.pushes.find((p) => p.notification.messageId === sent.messageId));
    await waitFor('notified', async () => (await rig.t.mmsc.getRecipients(sent.messageId))[0]?.state === 'notified');
    const message = await rig.t.mmsc.getMessage(sent.messageId);
    return { messageId: sent.messageId, push, expiresAt: message!.expiresAt };
  }

  before(async () => {
    rig = await startRig({
      bearer: 'direct',
      phones: [B, C, E, RANGED].map((msisdn) => ({ msisdn, mode: 'manual' as const })),
      mm1: { handsets: { classes: [OLD_STACK, RANGE] } },
    });
  });
  after(async () => {
    http.close();
    await rig?.stop();
  });

  it('defaults: relative X-Mms-Expiry, acknowledgements answered 200 without a body, the configured MMS version', async () => {
    const { push, expiresAt } = await notify(B, 'defaults');
    const fields = notificationOf(push);
    const left = (expiresAt - Date.now()) / 1000;
    const { relative } = expiryOf(fields);
    assert.ok(relative !== undefined && relative <= left + 2 && relative >= left - 10, `relative expiry ${relative} s, ${left} s left`);
    assert.equal(fields.get(MMS_VERSION)![0], V1_2);
    const token = contentLocationOf(fields).split('/').pop()!;
    for (const body of [notifyRespIndBytes(token), acknowledgeIndBytes(token)]) {
      const res = await post(body, as(B));
      assert.equal(res.status, 200);
      assert.equal(res.body.length, 0);
      assert.equal(res.headers['content-length'], '0');
    }
  });

  it('an MSISDN range picks the class for the very first notification (here: where the handset fetches)', async () => {
    const { push, messageId } = await notify(RANGED, 'range');
    const fields = notificationOf(push);
    const location = contentLocationOf(fields);
    assert.match(location, /^http:\/\/mms\.range\.example:8080\/m\/[^/]+$/);
    assert.ok(expiryOf(fields).relative !== undefined, 'the other choices stay the defaults');
    // The token is valid whatever host the handset reaches this MMSC by.
    const res = await http.send(`${rig.url}/m/${location.split('/').pop()}`, { headers: as(RANGED) });
    assert.equal(res.status, 200);
    assert.equal(headerFields(res.body).get(0x8b) && Buffer.from(headerFields(res.body).get(0x8b)!.subarray(0, -1)).toString(), messageId);
  });

  it('a User-Agent the gateway vouched for is remembered: later notifications to that subscriber use its class', async () => {
    const first = notificationOf((await notify(C, 'before')).push);
    assert.ok(expiryOf(first).relative !== undefined, 'nothing known about C yet: defaults');
    const ua = { 'user-agent': 'OldStack/2.1 (feature phone)' };
    // C fetches with its User-Agent: the m-retrieve-conf is written in the class's version.
    const token = contentLocationOf(first).split('/').pop()!;
    const got = await http.send(`${rig.url}/m/${token}`, { headers: as(C, ua) });
    assert.equal(got.status, 200);
    assert.equal(headerFields(got.body).get(MMS_VERSION)![0], V1_0);
    const ack = await post(notifyRespIndBytes(token), as(C, ua));
    assert.equal(ack.status, 204);
    assert.equal(ack.body.length, 0);

    const { push, expiresAt } = await notify(C, 'after');
    const later = notificationOf(push);
    const { absolute } = expiryOf(later);
    assert.equal(absolute, Math.floor(expiresAt / 1000), 'the message expiry itself, as a date');
    assert.equal(later.get(MMS_VERSION)![0], V1_0);
  });

  it('a UAProf URL picks the class for the answers to that request', async () => {
    const { push } = await notify(E, 'uaprof');
    const token = contentLocationOf(notificationOf(push)).split('/').pop()!;
    const res = await post(notifyRespIndBytes(token), as(E, { 'x-wap-profile': '"http://oldstack.example/e1.xml", 1-abc' }));
    assert.equal(res.status, 204);
  });

  it('reads User-Agent and the UAProf URL as handsets send them', () => {
    assert.deepEqual(factsFromHeaders({ 'user-agent': 'X/1', 'x-wap-profile': '"http://p.example/a.xml", 1-Z2l2ZQ==' }), { userAgent: 'X/1', uaProf: 'http://p.example/a.xml' });
    assert.deepEqual(factsFromHeaders({ profile: 'http://p.example/b.xml' }), { userAgent: undefined, uaProf: 'http://p.example/b.xml' });
    assert.deepEqual(factsFromHeaders({}), { userAgent: undefined, uaProf: undefined });
  });
});

/** A rig with one class, a manual handset C, and what it takes to notify C and answer as C. */
async function smallRig(mm1: NonNullable<Parameters<typeof startRig>[0]>['mm1']) {
  const rig = await startRig({ bearer: 'direct', phones: [{ msisdn: C, mode: 'manual' }], mm1 });
  const http = new HttpClient(1);
  const notifyC = async (subject: string) => {
    const sent = await rig.t.mmsc.submit({ message: buildMessage({ from: A, to: C, subject }), origin: { interface: 'api' } });
    return notificationOf(await waitFor('pushed', () => rig.pushes.find((p) => p.notification.messageId === sent.messageId)));
  };
  const answer = (token: string, headers: Record<string, string>) =>
    http.send(`${rig.url}/mms`, { method: 'POST', body: notifyRespIndBytes(token), headers: { 'content-type': PDU_TYPE, ...headers } });
  const stop = async () => {
    http.close();
    await rig.stop();
  };
  return { notifyC, answer, stop };
}

describe('handset dialects: only what a trusted gateway vouched for is remembered', () => {
  it('the same request from a gateway that is not trusted teaches nothing about the number it names', async () => {
    const r = await smallRig({ handsets: { classes: [OLD_STACK] }, identity: { trustedGateways: ['192.0.2.1'] } });
    try {
      const token = contentLocationOf(await r.notifyC('one')).split('/').pop()!;
      const res = await r.answer(token, as(C, { 'user-agent': 'OldStack/2.1' }));
      assert.equal(res.status, 403, 'no identity: refused');
      assert.ok(expiryOf(await r.notifyC('two')).relative !== undefined, 'C still gets the defaults');
    } finally {
      await r.stop();
    }
  });
});

describe('handset dialects: remember 0', () => {
  it('keeps nothing per subscriber: notifications use the defaults, requests still their own class', async () => {
    const r = await smallRig({ handsets: { classes: [OLD_STACK], remember: 0 } });
    try {
      const token = contentLocationOf(await r.notifyC('one')).split('/').pop()!;
      assert.equal((await r.answer(token, as(C, { 'user-agent': 'OldStack/2.1' }))).status, 204);
      assert.ok(expiryOf(await r.notifyC('two')).relative !== undefined);
    } finally {
      await r.stop();
    }
  });
});

describe('handset dialects: configuration', () => {
  it('refuses a class whose User-Agent pattern is not a regular expression', async () => {
    await assert.rejects(startRig({ mm1: { handsets: { classes: [{ name: 'bad', match: { userAgent: ['(unclosed'] } }] } } }), /regular expression/);
  });
});
