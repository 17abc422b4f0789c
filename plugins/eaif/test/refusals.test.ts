import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suiteFixture } from '@openmmsc/testkit';
import { definePlugin, verdict } from '@openmmsc/core';
import { AUTH, eaifHeaders, startHarness } from './harness.js';
import { CT, LITERAL_SEND_REQ, sendReq, textPart } from './pdu-bytes.js';
import { basic, post, rawExchange } from './wire.js';

/** A charging backend that refuses messages whose subject says so. */
const creditCheck = definePlugin({
  name: 'test-credit',
  version: '0.0.0',
  apiVersion: '^1.0.0',
  setup(ctx) {
    ctx.provide('ChargingBackend', {
      name: 'test-credit',
      authorize: async (req) =>
        req.message.headers.subject?.text === 'no credit' ? { kind: 'reject', reason: { code: 'insufficient-credit', message: 'prepaid account empty' } } : { kind: 'accept' },
    });
  },
});

/** A receive hook that asks for messages whose subject says so to be sent again later. */
const busyLater = definePlugin({
  name: 'test-busy',
  version: '0.0.0',
  apiVersion: '^1.0.0',
  setup: () => ({ receive: (m) => (m.message.headers.subject?.text === 'later' ? verdict.defer('network-problem', 'number lookup timed out') : undefined) }),
});

const simple = (tx: string, extra: Partial<Parameters<typeof sendReq>[0]> = {}) => sendReq({ transactionId: tx, from: '12345/TYPE=PLMN', to: ['+15550000002/TYPE=PLMN'], ...extra });

describe('EAIF submissions refused, in HTTP terms, nothing stored', () => {
  const h = suiteFixture(() => startHarness({
    account: { maxMessageSize: 2000, maxRecipients: 3, allowedIps: ['127.0.0.0/8', '::1'] },
    accounts: [
      { id: 'slow', password: 'slow-secret', shortCodes: ['777'], throughput: 1, burst: 2 },
      { id: 'elsewhere', password: 'far-secret', shortCodes: ['888'], allowedIps: ['192.0.2.0/24'] },
    ],
    plugin: { limits: { maxRequestSize: '64KB' }, listener: { requestTimeout: '1s' } },
    plugins: [creditCheck, busyLater],
  }));

  async function stored(): Promise<number> {
    const metric = h.t.mmsc.registry.getSingleMetric('openmmsc_eaif_submissions_accepted_total');
    return ((await metric?.get())?.values[0]?.value ?? 0) as number;
  }

  async function refused(res: Awaited<ReturnType<typeof post>>, status: number, text: RegExp): Promise<void> {
    assert.equal(res.status, status, res.body);
    assert.match(res.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(res.body, text);
    assert.equal(res.headers['x-nokia-mmsc-message-id'], undefined, 'no message id for a refused submission');
    assert.equal(res.headers['x-nokia-mmsc-version'], '3.0');
  }

  it('refuses a wrong password and missing credentials with 401 and a Basic challenge', async () => {
    const before = await stored();
    const wrong = await post(h.url, eaifHeaders({ authorization: basic('news', 'guess') }), LITERAL_SEND_REQ);
    await refused(wrong, 401, /credentials/);
    assert.match(wrong.headers['www-authenticate'] ?? '', /^Basic /);
    const none = await post(h.url, { 'content-type': 'application/vnd.wap.mms-message' }, LITERAL_SEND_REQ);
    await refused(none, 401, /credentials/);
    assert.equal(await stored(), before);
  });

  it('refuses an application connecting from an address it is not allowed to use with 403', async () => {
    const res = await post(h.url, eaifHeaders({ authorization: basic('elsewhere', 'far-secret') }), simple('ip-1', { from: '888/TYPE=PLMN' }));
    await refused(res, 403, /may not connect from/);
  });

  it('refuses a sender address the application does not own with 403', async () => {
    const res = await post(h.url, eaifHeaders(), simple('sender-1', { from: '+15559999999/TYPE=PLMN' }));
    await refused(res, 403, /sender \+15559999999 is not allowed/);
    const byHeader = await post(h.url, eaifHeaders({ 'X-NOKIA-MMSC-From': '777' }), simple('sender-2'));
    await refused(byHeader, 403, /sender 777 is not allowed/);
  });

  it('answers submissions over the throughput limit with 503 and Retry-After', async () => {
    const headers = eaifHeaders({ authorization: basic('slow', 'slow-secret') });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await post(h.url, headers, simple(`slow-${i}`, { from: '777/TYPE=PLMN' })));
    assert.deepEqual(answers.slice(0, 2).map((a) => a.status), [204, 204], 'the burst is allowed');
    const over = answers[2]!;
    await refused(over, 503, /throughput limit of 1 submissions\/s/);
    assert.ok(Number(over.headers['retry-after']) >= 1, 'Retry-After in seconds');
  });

  it('refuses a truncated PDU with 400: the m-send-req is cut in its last part', async () => {
    const before = await stored();
    const cut = LITERAL_SEND_REQ.subarray(0, LITERAL_SEND_REQ.length - 3);
    await refused(await post(h.url, eaifHeaders(), cut), 400, /not a well-formed MMS PDU: truncated at offset \d+: part 0 data runs past the end: 5 octets announced, 2 present/);
    const headersOnly = LITERAL_SEND_REQ.subarray(0, 20);
    await refused(await post(h.url, eaifHeaders(), headersOnly), 400, /not a well-formed MMS PDU/);
    assert.equal(await stored(), before);
  });

  it('refuses corrupt and foreign bodies: garbage 400, no From 400, an empty body 400, another PDU type 415', async () => {
    await refused(await post(h.url, eaifHeaders(), Buffer.from('<xml>not mms</xml>')), 400, /not a well-formed MMS PDU/);
    await refused(await post(h.url, eaifHeaders(), simple('no-from', { from: undefined })), 400, /lacks mandatory From/);
    await refused(await post(h.url, eaifHeaders(), Buffer.alloc(0)), 400, /no body/);
    // m-acknowledge-ind (0x85): transaction id, version.
    const ack = Buffer.from([0x8c, 0x85, 0x98, 0x61, 0x00, 0x8d, 0x92]);
    await refused(await post(h.url, eaifHeaders(), ack), 415, /m-acknowledge-ind is not a submission/);
  });

  it('refuses a wrong Content-Type and a Message-Type other than MultiMediaMessage with 415', async () => {
    await refused(await post(h.url, eaifHeaders({ 'content-type': 'text/plain' }), LITERAL_SEND_REQ), 415, /Content-Type must be application\/vnd.wap.mms-message/);
    await refused(await post(h.url, eaifHeaders({ 'X-NOKIA-MMSC-Message-Type': 'DeliveryReport' }), LITERAL_SEND_REQ), 415, /DeliveryReport is not accepted/);
  });

  it('refuses malformed EAIF headers with 400', async () => {
    await refused(await post(h.url, eaifHeaders({ 'X-NOKIA-MMSC-Charging': 'lots' }), simple('chg-1')), 400, /X-NOKIA-MMSC-Charging must be 1 to 8 digits/);
    await refused(await post(h.url, eaifHeaders({ 'X-NOKIA-MMSC-Charged-Party': 'Nobody' }), simple('chg-2')), 400, /X-NOKIA-MMSC-Charged-Party must be/);
  });

  it('refuses content over the application\'s size limit with 413, and a body over the request limit with 413', async () => {
    const big = simple('big-1', { parts: [{ contentType: CT.jpeg, location: 'a.jpg', data: Buffer.alloc(3000, 0x5a) }] });
    await refused(await post(h.url, eaifHeaders(), big), 413, /may send at most 2000/);
    const huge = simple('big-2', { parts: [textPart('x'.repeat(70 * 1024))] });
    await refused(await post(h.url, eaifHeaders(), huge), 413, /larger than 65536 bytes/);
  });

  it('refuses too many recipients with 403, no recipient with 400, an unreadable address with 400', async () => {
    const many = ['+15550000011', '+15550000012', '+15550000013', '+15550000014'].map((n) => `${n}/TYPE=PLMN`);
    await refused(await post(h.url, eaifHeaders(), simple('many', { to: many })), 403, /4 recipients; application news may send to at most 3/);
    await refused(await post(h.url, eaifHeaders(), simple('none', { to: [] })), 400, /no recipient/);
    await refused(await post(h.url, eaifHeaders(), simple('bad-addr', { to: ['not a number/TYPE=PLMN'] })), 400, /recipient: invalid address/);
  });

  it('refuses a message no recipient of which can be routed with 400 (the kernel\'s address-unresolved)', async () => {
    await refused(await post(h.url, eaifHeaders(), simple('unroutable', { to: ['+4930123456/TYPE=PLMN'] })), 400, /no route to \+4930123456/);
  });

  it('answers a submission the pipeline deferred with 503 and Retry-After, storing nothing', async () => {
    const before = await stored();
    const res = await post(h.url, eaifHeaders(), simple('later', { subject: 'later' }));
    await refused(res, 503, /number lookup timed out/);
    assert.ok(Number(res.headers['retry-after']) >= 1);
    assert.equal(await stored(), before);
  });

  it('maps a charging refusal (insufficient-credit) to 402', async () => {
    await refused(await post(h.url, eaifHeaders(), simple('credit', { subject: 'no credit' })), 402, /prepaid account empty/);
  });

  it('answers a body cut short of its Content-Length with 400 and closes the connection', async () => {
    const head = `POST /eaif HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: application/vnd.wap.mms-message\r\nContent-Length: ${LITERAL_SEND_REQ.length + 50}\r\n\r\n`;
    const answer = await rawExchange(h.url, head, LITERAL_SEND_REQ);
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /x-nokia-mmsc-version: 3\.0/i);
    assert.match(answer, /connection: close/i);
  });

  it('answers a body that stops arriving with 408 after listener.requestTimeout, never hanging', async () => {
    const head = `POST /eaif HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: application/vnd.wap.mms-message\r\nContent-Length: ${LITERAL_SEND_REQ.length + 50}\r\n\r\n`;
    const started = Date.now();
    const answer = await rawExchange(h.url, head, LITERAL_SEND_REQ, { halfClose: false });
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.match(answer, /request incomplete after 1 s/);
    assert.ok(Date.now() - started < 5000, `answered after ${Date.now() - started} ms`);
  });
});
