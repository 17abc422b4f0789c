/**
 * MMBox, storing: X-Mms-Store on m-send-req, m-notifyresp-ind and m-acknowledge-ind,
 * m-mbox-store-req and m-mbox-upload-req. Requests are built byte by byte (mmbox-bytes.ts);
 * answers are read byte by byte and by Wireshark.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suiteFixture } from '@openmmsc/testkit';
import type { Rig } from './helpers.js';
import { acknowledge, all, draftDescr, flagsOf, mboxStoreReq, mboxUploadReq, mboxViewReq, multipart, notifyResp, octet, parse, storeHeaders, textField } from './mmbox-bytes.js';
import { A, B, C, boxRig, get, notified, post, sendBytes } from './mmbox-rig.js';
import { dissectAnswer, lines, shown, tsharkMissing } from './tshark.js';

const STORE_STATUS = 0xa5;
const LOCATION = 0x83;
const MM_STATE = 0xa3;
const missing = tsharkMissing();

/** The box entries `who` sees, as [location, MM-State, keywords] (m-mbox-view-req with no filter). */
async function boxOf(rig: Rig, who: string): Promise<Array<{ location: string; state: number; flags: string[]; subject?: string }>> {
  const view = await post(rig, mboxViewReq(`view-${who}`, { attributes: [0x16] }), who);
  assert.equal(octet(view.pdu, 0x92), 0x80, 'view Ok');
  if (!view.pdu.body) return [];
  return multipart(view.pdu.body).map(({ data }) => {
    const d = parse(data);
    const subject = textField(d, 0x96);
    return { location: textField(d, LOCATION)!, state: octet(d, MM_STATE)!, flags: flagsOf(d).map(([, k]) => k), ...(subject ? { subject } : {}) };
  });
}

describe('MMBox: storing what subscribers send and receive', () => {
  const rig = suiteFixture(() => boxRig());

  it('X-Mms-Store on m-send-req keeps a copy in the sender\'s MMBox: m-send-conf says Success with its location, only the sender fetches it, a retransmission stores nothing twice', { skip: missing }, async () => {
    const request = sendBytes(B, 'keep a copy', storeHeaders({ flags: [['add', 'work']] }));
    const conf = await post(rig, request, A);
    assert.equal(conf.status, 200);
    assert.equal(octet(conf.pdu, 0x92), 0x80, 'X-Mms-Response-Status Ok');
    assert.equal(octet(conf.pdu, STORE_STATUS), 0x80, 'X-Mms-Store-Status Success');
    const location = textField(conf.pdu, LOCATION)!;
    assert.match(location, new RegExp(`^${rig.url}/b/`));
    const seen = dissectAnswer(conf.bytes);
    assert.deepEqual(shown(seen, 'mmse.message_type'), ['0x81']);
    assert.deepEqual(shown(seen, 'mmse.content_location'), [location]);
    assert.ok(lines(seen, 'mmse.header.uint').includes('X-Mms-Store-Status: <Well-known value 0x80> (not decoded)'), lines(seen, 'mmse.header.uint').join('; '));

    const copy = await get(location, A);
    assert.equal(copy.status, 200);
    assert.equal(copy.bytes[1], 0x84, 'an m-retrieve-conf');
    assert.equal(octet(copy.pdu, MM_STATE), 0x81, 'X-Mms-MM-State Sent');
    assert.deepEqual(flagsOf(copy.pdu), [[0x80, 'work']]);
    assert.equal(textField(copy.pdu, 0x8b), textField(conf.pdu, 0x8b), 'the copy carries the Message-ID of what was sent');
    assert.ok(copy.bytes.includes(Buffer.from('keep a copy')));
    assert.equal((await get(location, B)).status, 403, 'someone else\'s MMBox');
    assert.equal((await get(location, null)).status, 403, 'nobody vouched for');

    const again = await post(rig, request, A);
    assert.equal(textField(again.pdu, LOCATION), location, 'the retransmission answers with the same copy');
    assert.equal((await boxOf(rig, A)).length, 1);
  });

  it('X-Mms-Store on m-notifyresp-ind and m-acknowledge-ind keeps what the recipient gets (New when deferred, Retrieved once fetched)', async () => {
    await post(rig, sendBytes(C, 'first for C'), A);
    const first = await notified(rig, C, 0);
    await post(rig, sendBytes(C, 'second for C'), A);
    const second = await notified(rig, C, 1);
    assert.equal((await post(rig, notifyResp(first.tid, 'deferred', { flags: [['add', 'later']] }), C)).status, 200);
    assert.equal((await get(second.location, C)).status, 200);
    assert.equal((await post(rig, acknowledge(second.tid, {}), C)).status, 200);
    const box = await boxOf(rig, C);
    assert.deepEqual(box.map((e) => [e.state, e.flags]), [[0x82, ['later']], [0x83, []]]);
    const copy = await get(box[0]!.location, C);
    assert.ok(copy.bytes.includes(Buffer.from('first for C')));
    assert.ok(all(copy.pdu, 0x89)[0]!.includes(Buffer.from(A)), 'From the sender');
    // The same notification answered again stores nothing twice.
    await post(rig, notifyResp(first.tid, 'deferred', {}), C);
    assert.equal((await boxOf(rig, C)).length, 2);
  });

  it('X-Mms-Store on m-forward-req keeps what was forwarded, as Forwarded', async () => {
    await post(rig, sendBytes(A, 'pass it on'), C);
    const n = await notified(rig, A, 0);
    const text = (s: string) => [...Buffer.from(s), 0x00];
    // m-forward-req (0x89): From insert-address, To, X-Mms-Content-Location of A's notification, X-Mms-Store.
    const forward = Buffer.from([0x8c, 0x89, 0x98, ...text('fw-1'), 0x8d, 0x93, 0x89, 0x01, 0x81, 0x97, ...text(`${B}/TYPE=PLMN`), 0x83, ...text(n.location), ...storeHeaders()]);
    const conf = await post(rig, forward, A);
    assert.equal(conf.bytes[1], 0x8a, 'm-forward-conf');
    assert.equal(octet(conf.pdu, 0x92), 0x80);
    assert.equal(octet(conf.pdu, STORE_STATUS), 0x80);
    const copy = await get(textField(conf.pdu, LOCATION)!, A);
    assert.equal(octet(copy.pdu, MM_STATE), 0x84, 'Forwarded');
    assert.ok(copy.bytes.includes(Buffer.from('pass it on')));
  });

  it('m-mbox-store-req stores a notified message for its recipient only, and sets MM-State and MM-Flags of a message in the box', { skip: missing }, async () => {
    await post(rig, sendBytes(B, 'store me'), A);
    const n = await notified(rig, B, 0);
    const foreign = await post(rig, mboxStoreReq('st-1', n.location), C);
    assert.equal(octet(foreign.pdu, STORE_STATUS), 0xe1, 'Error-permanent-service-denied for someone else\'s message');
    const denied = await post(rig, mboxStoreReq('st-2', n.location), null);
    assert.equal(octet(denied.pdu, STORE_STATUS), 0xe1);

    const stored = await post(rig, mboxStoreReq('st-3', n.location, { flags: [['add', 'x'], ['add', 'y']] }), B);
    assert.equal(stored.bytes[1], 0x8c, 'm-mbox-store-conf');
    assert.equal(textField(stored.pdu, 0x98), 'st-3');
    assert.equal(octet(stored.pdu, STORE_STATUS), 0x80);
    const location = textField(stored.pdu, LOCATION)!;
    const seen = dissectAnswer(stored.bytes);
    assert.deepEqual(shown(seen, 'mmse.message_type'), ['0x8c']);
    assert.deepEqual(shown(seen, 'mmse.transaction_id'), ['st-3']);
    assert.deepEqual(shown(seen, 'mmse.content_location'), [location]);

    const changed = await post(rig, mboxStoreReq('st-4', location, { state: 'retrieved', flags: [['remove', 'x'], ['add', 'z']] }), B);
    assert.equal(octet(changed.pdu, STORE_STATUS), 0x80);
    assert.equal(textField(changed.pdu, LOCATION), location);
    const entry = (await boxOf(rig, B)).find((e) => e.location === location)!;
    assert.equal(entry.state, 0x83, 'Retrieved');
    assert.deepEqual(entry.flags, ['y', 'z']);
    assert.equal(octet((await post(rig, mboxStoreReq('st-5', location, { state: 'draft' }), C)).pdu, STORE_STATUS), 0xe3, 'not found in another MMBox');
    assert.equal(octet((await post(rig, mboxStoreReq('st-6', `${rig.url}/b/forged.AAAAAAAAAAAAAAAA`), B)).pdu, STORE_STATUS), 0xe3);
  });

  it('m-mbox-upload-req puts an MM straight into the box as a Draft from the owner; a corrupt one is refused in its own terms', { skip: missing }, async () => {
    const up = await post(rig, mboxUploadReq('up-1', draftDescr(C, 'draft subject', 'draft text'), { flags: [['add', 'todo']] }), B);
    assert.equal(up.bytes[1], 0x90, 'm-mbox-upload-conf');
    assert.equal(octet(up.pdu, STORE_STATUS), 0x80);
    const location = textField(up.pdu, LOCATION)!;
    const seen = dissectAnswer(up.bytes);
    assert.deepEqual(shown(seen, 'mmse.message_type'), ['0x90']);
    assert.deepEqual(shown(seen, 'mmse.content_location'), [location]);

    const copy = await get(location, B);
    assert.equal(octet(copy.pdu, MM_STATE), 0x80, 'Draft');
    assert.equal(textField(copy.pdu, 0x96), 'draft subject');
    assert.ok(all(copy.pdu, 0x97)[0]!.includes(Buffer.from(C)), 'To as uploaded');
    assert.ok(all(copy.pdu, 0x89)[0]!.includes(Buffer.from(B)), 'From is the owner');
    assert.ok(copy.bytes.includes(Buffer.from('draft text')));

    const cut = draftDescr(C, 'cut', 'this part is cut short');
    const corrupt = await post(rig, mboxUploadReq('up-2', cut.subarray(0, cut.length - 8)), B);
    assert.equal(corrupt.bytes[1], 0x90);
    assert.equal(octet(corrupt.pdu, STORE_STATUS), 0xe2, 'Error-permanent-message-format-corrupt');
    // The MM's content itself as the body (a multipart whose one entry announces 100 bytes and has 10).
    const cutOuter = Buffer.concat([mboxUploadReq('up-3', Buffer.alloc(0)).subarray(0, -1), Buffer.from([0xa3, 0x01, 0x01, 0x64, 0x83]), Buffer.alloc(10, 0x41)]);
    const outer = await post(rig, cutOuter, B);
    assert.equal(outer.status, 400);
    assert.equal(outer.bytes[1], 0x90, 'a request cut short is refused as an m-mbox-upload-conf');
    assert.equal(octet(outer.pdu, STORE_STATUS), 0xe2);
    assert.equal(octet((await post(rig, mboxUploadReq('up-4', draftDescr(C, 's', 't')), null)).pdu, STORE_STATUS), 0xe1);
  });
});
