/**
 * MMBox quotas (messages and bytes, per-subscriber overrides, enforced also when stores race),
 * and the lifetime of box content: after a restart, and its own expiry apart from the message's.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor } from '@openmmsc/testkit';
import { startRig, type Rig } from './helpers.js';
import { counts, draftDescr, mboxUploadReq, mboxViewReq, multipart, notifyResp, octet, parse, storeHeaders, textField } from './mmbox-bytes.js';
import { A, B, C, boxRig, get, notified, post, sendBytes } from './mmbox-rig.js';
import { dissectAnswer, lines, tsharkMissing } from './tshark.js';

const STORE_STATUS = 0xa5;
const FULL = 0xe4;
const missing = tsharkMissing();
let n = 0;
const upload = (rig: Rig, who: string, text = 'x') => post(rig, mboxUploadReq(`q-${++n}`, draftDescr(C, `q${n}`, text)), who);

describe('MMBox quotas', () => {
  it('a store past the message quota is refused Error-permanent-mmbox-full (per-subscriber override too); X-Mms-Mbox-Quotas/-Totals tell where the box stands', { skip: missing }, async () => {
    const rig = await boxRig({ mmbox: { quota: { messages: 2, bytes: 1_000_000 } }, subscribers: [{ msisdn: A, mmboxQuota: { messages: 3 } }] });
    try {
      assert.equal(octet((await upload(rig, B)).pdu, STORE_STATUS), 0x80);
      assert.equal(octet((await upload(rig, B)).pdu, STORE_STATUS), 0x80);
      const refused = await upload(rig, B);
      assert.equal(refused.status, 200);
      assert.equal(octet(refused.pdu, STORE_STATUS), FULL);
      assert.match(textField(refused.pdu, 0xa6) ?? '', /2\/2 messages/, 'X-Mms-Store-Status-Text says why');
      assert.equal(textField(refused.pdu, 0x83), undefined, 'no location for what was not stored');
      const seen = dissectAnswer(refused.bytes);
      assert.ok(lines(seen, 'mmse.header.uint').includes('X-Mms-Store-Status: <Well-known value 0xe4> (not decoded)'));

      const view = await post(rig, mboxViewReq('q-view', { totals: true, quotas: true, limit: 0 }), B);
      assert.deepEqual(counts(view.pdu, 0xaa), { messages: 2, bytes: 2 });
      assert.deepEqual(counts(view.pdu, 0xac), { messages: 2, bytes: 1_000_000 });

      // A's own quota is 3 messages (its bytes stay the default).
      for (let i = 0; i < 3; i++) assert.equal(octet((await upload(rig, A)).pdu, STORE_STATUS), 0x80);
      assert.equal(octet((await upload(rig, A)).pdu, STORE_STATUS), FULL);
      assert.deepEqual(counts((await post(rig, mboxViewReq('q-a', { quotas: true, limit: 0 }), A)).pdu, 0xac), { messages: 3, bytes: 1_000_000 });

      // A full box refuses the copy, not the message: m-send-conf is Ok, X-Mms-Store-Status says mmbox-full.
      const sent = await post(rig, sendBytes(C, 'sent anyway', storeHeaders()), B);
      assert.equal(octet(sent.pdu, 0x92), 0x80);
      assert.equal(octet(sent.pdu, STORE_STATUS), FULL);
      // On receipt nothing answers: the full box simply stays as it was.
      await post(rig, sendBytes(B, 'for a full box'), C);
      const got = await notified(rig, B, 0);
      assert.equal((await post(rig, notifyResp(got.tid, 'deferred', {}), B)).status, 200);
      assert.deepEqual(counts((await post(rig, mboxViewReq('q-b', { totals: true, limit: 0 }), B)).pdu, 0xaa), { messages: 2, bytes: 2 });
    } finally {
      await rig.stop();
    }
  });

  it('a store past the byte quota is refused; many stores at once never exceed the quota', async () => {
    const rig = await boxRig({ mmbox: { quota: { messages: 100, bytes: 2500 } }, subscribers: [{ msisdn: C, mmboxQuota: { bytes: 10_000 } }] });
    try {
      const k = 'k'.repeat(1000);
      assert.equal(octet((await upload(rig, B, k)).pdu, STORE_STATUS), 0x80);
      assert.equal(octet((await upload(rig, B, k)).pdu, STORE_STATUS), 0x80);
      const third = await upload(rig, B, k);
      assert.equal(octet(third.pdu, STORE_STATUS), FULL);
      assert.match(textField(third.pdu, 0xa6) ?? '', /1000 bytes/);
      assert.equal(octet((await upload(rig, B, 'small')).pdu, STORE_STATUS), 0x80, 'what still fits is taken');
      assert.equal(octet((await upload(rig, C, k)).pdu, STORE_STATUS), 0x80);
      assert.equal(octet((await upload(rig, C, k)).pdu, STORE_STATUS), 0x80);
      assert.equal(octet((await upload(rig, C, k)).pdu, STORE_STATUS), 0x80, 'C\'s own byte quota');

      const racing = await Promise.all(Array.from({ length: 12 }, () => upload(rig, A, k)));
      const stored = racing.filter((r) => octet(r.pdu, STORE_STATUS) === 0x80).length;
      assert.equal(stored, 2, 'exactly as many as fit');
      assert.equal(racing.filter((r) => octet(r.pdu, STORE_STATUS) === FULL).length, 10);
      assert.deepEqual(counts((await post(rig, mboxViewReq('q-race', { totals: true, limit: 0 }), A)).pdu, 0xaa), { messages: 2, bytes: 2000 });
    } finally {
      await rig.stop();
    }
  });
});

describe('MMBox switched off', () => {
  it('mmbox.enabled false answers MMBox requests Error-permanent-service-denied and stores nothing on X-Mms-Store', async () => {
    const rig = await boxRig({ mmbox: { enabled: false } });
    try {
      assert.equal(octet((await upload(rig, B)).pdu, STORE_STATUS), 0xe1);
      assert.equal(octet((await post(rig, mboxViewReq('off-1'), B)).pdu, 0x92), 0xe1);
      const sent = await post(rig, sendBytes(C, 'no box', storeHeaders()), B);
      assert.equal(octet(sent.pdu, 0x92), 0x80, 'the message is sent');
      assert.equal(octet(sent.pdu, STORE_STATUS), 0xe1);
    } finally {
      await rig.stop();
    }
  });
});

describe('MMBox content lifetime', () => {
  it('box content is fetched by its Content-Location after a restart, and the box lists it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mm1-mmbox-'));
    const config = { store: { type: 'sqlite' as const, path: join(dir, 'store.sqlite') } };
    const mm1 = { secret: 'a-secret-shared-by-every-node-of-the-cluster' };
    let rig: Rig | undefined;
    try {
      rig = await startRig({ bearer: 'direct', mm1, config });
      const up = await post(rig, mboxUploadReq('r-1', draftDescr(C, 'survives', 'still here after a restart')), B);
      const location = textField(up.pdu, 0x83)!;
      const port = new URL(rig.url).port;
      await rig.stop();
      rig = undefined;
      rig = await startRig({ bearer: 'direct', mm1: { ...mm1, port: Number(port) }, config });
      const copy = await get(location, B);
      assert.equal(copy.status, 200);
      assert.ok(copy.bytes.includes(Buffer.from('still here after a restart')));
      const view = await post(rig, mboxViewReq('r-view', { attributes: [0x16] }), B);
      assert.equal(textField(parse(multipart(view.pdu.body!)[0]!.data), 0x96), 'survives');
    } finally {
      await rig?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('box content outlives the message it copies, and goes at its own expiry', async () => {
    const rig = await boxRig({ mmbox: { expiry: 2500 } }, { expiry: { retention: 0 } });
    try {
      // X-Mms-Expiry: relative 1 s (Value-length 3, Relative-token, Delta-seconds 1).
      const sent = await post(rig, sendBytes(C, 'short-lived', [0x88, 0x02, 0x81, 0x81, ...storeHeaders()]), B);
      const messageId = textField(sent.pdu, 0x8b)!;
      const location = textField(sent.pdu, 0x83)!;
      await waitFor('the message purged after its expiry', async () => (await rig.t.mmsc.getMessage(messageId)) === undefined, { timeoutMs: 10_000 });
      const copy = await get(location, B);
      assert.equal(copy.status, 200, 'the box copy is still there');
      assert.ok(copy.bytes.includes(Buffer.from('short-lived')));
      await waitFor('the box copy purged at the box expiry', async () => (await get(location, B)).status === 404, { timeoutMs: 10_000 });
      const view = await post(rig, mboxViewReq('e-view', { totals: true }), B);
      assert.deepEqual(counts(view.pdu, 0xaa), { messages: 0, bytes: 0 });
    } finally {
      await rig.stop();
    }
  });
});
