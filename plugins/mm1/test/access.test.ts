import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildMessage, HttpClient, waitFor, type HttpResult } from '@openmmsc/testkit';
import { startRig, type Rig } from './helpers.js';
import { acknowledgeIndBytes, notifyRespIndBytes, octetOf, textOf } from './pdu-bytes.js';
import { A, B, C, PDU_TYPE, as } from './phones.js';

const RETRIEVE_STATUS = 0x99;
const SERVICE_DENIED = 0xe1;
const MESSAGE_NOT_FOUND = 0xe2;

/** Submits A → B and returns B's content location (from the push). */
async function messageForB(rig: Rig, subject: string): Promise<{ messageId: string; url: string; token: string }> {
  const sent = await rig.t.mmsc.submit({ message: buildMessage({ from: A, to: B, subject, text: 'for B only', deliveryReport: true }), origin: { interface: 'api' } });
  assert.equal(sent.status, 'accepted');
  const push = await waitFor('pushed', () => rig.pushes.find((p) => p.notification.messageId === sent.messageId));
  await waitFor('notified', async () => (await rig.t.mmsc.getRecipients(sent.messageId))[0]?.state === 'notified');
  const url = push.notification.contentLocation!;
  return { messageId: sent.messageId, url, token: url.slice(url.lastIndexOf('/') + 1) };
}

async function historyOf(rig: Rig, messageId: string): Promise<string[]> {
  return (await rig.t.mmsc.getRecipients(messageId))[0]!.history.map((h) => `${h.state}:${h.by}`);
}

function assertDenied(res: HttpResult): void {
  assert.equal(res.status, 403);
  assert.equal(res.headers['content-type'], PDU_TYPE);
  assert.equal(res.body[1], 0x84, 'an m-retrieve-conf');
  assert.equal(octetOf(res.body, RETRIEVE_STATUS), SERVICE_DENIED);
  assert.equal(textOf(res.body, 0x8b), undefined, 'no Message-ID');
  assert.ok(res.body.length < 200, 'no content');
}

describe('who may fetch a content URL (default: only the recipient, as the gateway vouches)', () => {
  let rig: Rig;
  const http = new HttpClient(2);
  before(async () => {
    rig = await startRig({ bearer: 'direct', phones: [{ msisdn: B, mode: 'manual' }, { msisdn: C, mode: 'manual' }] });
  });
  after(async () => {
    http.close();
    await rig?.stop();
  });

  it('another subscriber (vouched for by the gateway), nobody, or a HEAD of either: refused; the recipient untouched', async () => {
    const { messageId, url } = await messageForB(rig, 'strangers');
    const before = await historyOf(rig, messageId);
    assertDenied(await http.send(url, { headers: as(C) }));
    assertDenied(await http.send(url));
    const head = await http.send(url, { method: 'HEAD', headers: as(C) });
    assert.equal(head.status, 403);
    assert.equal(head.headers['content-type'], PDU_TYPE);
    await sleep(100);
    assert.deepEqual(await historyOf(rig, messageId), before, 'no state change, no billing event');
    // The recipient itself fetches.
    const own = await http.send(url, { headers: as(B) });
    assert.equal(own.status, 200);
    assert.equal(own.headers['content-type'], PDU_TYPE);
    assert.equal(textOf(own.body, 0x8b), messageId);
    await waitFor('retrieved', async () => (await historyOf(rig, messageId)).at(-1) === 'retrieved:@openmmsc/plugin-mm1');
  });

  it('m-notifyresp-ind and m-acknowledge-ind move the recipient only when the recipient sends them', async () => {
    const { messageId, token } = await messageForB(rig, 'acks');
    const post = (body: Buffer, headers: Record<string, string> = {}) =>
      http.send(`${rig.url}/mms`, { method: 'POST', body, headers: { 'content-type': PDU_TYPE, ...headers } });
    for (const body of [notifyRespIndBytes(token), acknowledgeIndBytes(token)]) {
      const other = await post(body, as(C));
      assert.equal(other.status, 403);
      assert.match(String(other.headers['content-type']), /^text\/plain/);
      assert.equal((await post(body)).status, 403);
    }
    await sleep(100);
    assert.equal((await rig.t.mmsc.getRecipients(messageId))[0]!.state, 'notified');
    assert.equal((await post(acknowledgeIndBytes(token), as(B))).status, 200);
    await waitFor('delivered', async () => (await rig.t.mmsc.getRecipients(messageId))[0]!.state === 'delivered');
  });

  it('"no such message" answers are m-retrieve-conf with the MMS content type; every other answer has its type', async () => {
    const bad = `${rig.url}/m/${'a'.repeat(24)}.0.${'A'.repeat(22)}`;
    for (const [url, method] of [
      [bad, 'GET'],
      [bad, 'HEAD'],
      [`${rig.url}/m/not-a-token`, 'GET'],
      [`${rig.url}/m/a/b`, 'GET'],
      [`${rig.url}/m/${'x'.repeat(1100)}`, 'GET'],
      [`${rig.url}/m/`, 'HEAD'],
      [`${rig.url}/m/%E0%A4%A`, 'GET'],
    ] as const) {
      const res = await http.send(url, { method, headers: as(B) });
      assert.equal(res.status, 404, `${method} ${url}`);
      assert.equal(res.headers['content-type'], PDU_TYPE, `${method} ${url}`);
      if (method === 'GET') assert.equal(octetOf(res.body, RETRIEVE_STATUS), MESSAGE_NOT_FOUND);
    }
    for (const path of ['/nothing-here', '/r/forged.token', '/o/nothing/0']) {
      const res = await http.send(`${rig.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.match(String(res.headers['content-type']), /^text\/plain; charset=utf-8$/, path);
    }
    const garbage = await http.send(`${rig.url}/mms`, { method: 'POST', body: Buffer.from('hello'), headers: as(A) });
    assert.equal(garbage.status, 400);
    assert.equal(garbage.headers['content-type'], PDU_TYPE);
  });
});

describe('who may fetch a content URL: untrusted sources', () => {
  it('a request not from a trusted gateway is refused by default, even with the recipient\'s MSISDN', async () => {
    const rig = await startRig({ bearer: 'direct', phones: [{ msisdn: B, mode: 'manual' }], mm1: { identity: { trustedGateways: ['10.0.0.0/8'] } } });
    const http = new HttpClient(1);
    try {
      const { messageId, url } = await messageForB(rig, 'untrusted');
      assertDenied(await http.send(url, { headers: as(B) }));
      await sleep(100);
      assert.equal((await rig.t.mmsc.getRecipients(messageId))[0]!.state, 'notified');
    } finally {
      http.close();
      await rig.stop();
    }
  });

  it('retrieval.untrusted serve-without-state: served, but nobody\'s retrieval (no state, no billing, no ack transaction)', async () => {
    const rig = await startRig({
      bearer: 'direct',
      phones: [{ msisdn: B, mode: 'manual' }],
      mm1: { identity: { trustedGateways: ['10.0.0.0/8'] }, retrieval: { untrusted: 'serve-without-state' } },
    });
    const http = new HttpClient(1);
    try {
      const { messageId, url } = await messageForB(rig, 'capability');
      const before = (await rig.t.mmsc.getRecipients(messageId))[0]!.history.length;
      const res = await http.send(url, { headers: as(B) });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], PDU_TYPE);
      assert.equal(textOf(res.body, 0x8b), messageId);
      assert.equal(textOf(res.body, 0x98), undefined, 'no transaction to acknowledge');
      await sleep(150);
      const r = (await rig.t.mmsc.getRecipients(messageId))[0]!;
      assert.equal(r.state, 'notified');
      assert.equal(r.history.length, before);
    } finally {
      http.close();
      await rig.stop();
    }
  });
});
