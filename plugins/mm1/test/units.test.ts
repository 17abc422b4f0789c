import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddress, type ReasonCode } from '@openmmsc/core';
import { RESPONSE_STATUS, decodePdu, encodePdu } from '@openmmsc/codec';
import { bodyToParts, partsToBody, retrieveConf, toEncodedAddress } from '../src/convert.js';
import { IdentityResolver } from '../src/identity.js';
import { contentAccess, originalAccess } from '../src/access.js';
import { escapeHtml } from '@openmmsc/mime';
import { originalServedType, renderMessagePage, safeServedType } from '../src/legacy-page.js';
import { sliceRange } from '../src/http-answer.js';
import { decodeUpload } from '../src/upload.js';
import { buildSendReq } from '@openmmsc/testkit';
import { fakeJpeg, sendReqBytes } from './pdu-bytes.js';
import { REASON_STATUS, TokenSigner, responseStatusFor, vocabularyFor } from '../src/index.js';

describe('response status mapping', () => {
  it('every kernel reason maps to a 1.0 code (0x80-0x88), a permanent and a transient 1.1+ code', () => {
    for (const [code, m] of Object.entries(REASON_STATUS)) {
      assert.ok(RESPONSE_STATUS[m.legacy] <= 0x88 && RESPONSE_STATUS[m.legacy] > 0x80, `${code} legacy`);
      const p = RESPONSE_STATUS[m.permanent];
      assert.ok((p >= 0xe0 && p <= 0xff) || p === 0x88, `${code} permanent`);
      assert.ok(RESPONSE_STATUS[m.transient] >= 0xc0 && RESPONSE_STATUS[m.transient] < 0xe0, `${code} transient`);
      assert.equal(responseStatusFor(code as ReasonCode, 'reject', 'legacy'), m.legacy);
    }
  });
  it('the vocabulary follows the request version unless configured', () => {
    assert.equal(vocabularyFor('auto', '1.0'), 'legacy');
    assert.equal(vocabularyFor('auto', undefined), 'legacy');
    assert.equal(vocabularyFor('auto', '1.2'), '1.3');
    assert.equal(vocabularyFor('legacy', '1.3'), 'legacy');
    assert.equal(vocabularyFor('1.3', '1.0'), '1.3');
  });
});

describe('signed tokens', () => {
  const s = new TokenSigner('a-very-secret-key-for-tests', 16);
  it('content tokens open to their message and recipient; tampering or another key fails', () => {
    const t = s.content('abcdefghijklmnopqrstuvwx', 3);
    assert.deepEqual(s.openContent(t), { messageId: 'abcdefghijklmnopqrstuvwx', index: 3 });
    assert.equal(s.openContent(t.replace('.3.', '.4.')), undefined);
    assert.equal(s.openContent(`${t}x`), undefined);
    assert.equal(new TokenSigner('another-secret-key-xxxxxxxx', 16).openContent(t), undefined);
    assert.equal(s.openContent('../../etc/passwd'), undefined);
  });
  it('a token opened before opens the same again, and its neighbours are still checked', () => {
    const signer = new TokenSigner('a-very-secret-key-for-tests', 16);
    const t = signer.content('abcdefghijklmnopqrstuvwx', 5);
    assert.equal(signer.content('abcdefghijklmnopqrstuvwx', 6), s.content('abcdefghijklmnopqrstuvwx', 6));
    assert.equal(signer.content('abcdefghijklmnopqrstuvwx', 5), t, 'issued again, with another issued in between: the same token');
    const first = signer.openContent(t)!;
    first.index = 99;
    assert.deepEqual(signer.openContent(t), { messageId: 'abcdefghijklmnopqrstuvwx', index: 5 }, 'what a caller did to an answer changes nothing');
    const forged = `${t.slice(0, -2)}${t.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.equal(signer.openContent(forged), undefined, 'a different MAC for a message opened before');
    assert.equal(signer.openContent(t.replace('.5.', '.6.')), undefined);
    for (let i = 0; i < 2100; i++) signer.openContent(signer.content('zyxwvutsrqponmlkjihgfedc', i));
    assert.deepEqual(signer.openContent(t), { messageId: 'abcdefghijklmnopqrstuvwx', index: 5 }, 'checked again once forgotten');
    assert.equal(new TokenSigner('another-secret-key-xxxxxxxx', 16).openContent(t), undefined);
  });
  it('view tokens expire and use only characters every SMS alphabet has', () => {
    const now = Date.now();
    const t = s.view('abcdefghijklmnop', 0, now + 60_000);
    assert.match(t, /^[a-z0-9.]+$/);
    assert.ok(t.length < 50);
    assert.equal(s.openView(t, now)?.expired, false);
    assert.equal(s.openView(t, now + 120_000)?.expired, true);
    assert.equal(s.openView(t.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')), now), undefined);
  });
  it('sealed values round-trip and refuse forgeries', () => {
    const t = s.seal({ k: 'd', m: 'x', at: 1 });
    assert.deepEqual(s.unseal(t), { k: 'd', m: 'x', at: 1 });
    const forged = `${Buffer.from('{"k":"d","m":"y","at":1}').toString('base64url')}.${t.split('.')[1]}`;
    assert.equal(s.unseal(forged), undefined);
  });
});

describe('identity', () => {
  const r = new IdentityResolver(['127.0.0.1', '10.0.0.0/8', 'fd00::/8'], ['x-wap-network-client-msisdn', 'x-msisdn'], (raw) => parseAddress(raw));
  it('believes headers only from gateways (IPv4, CIDR, IPv6, IPv4-mapped)', () => {
    assert.equal(r.resolve('10.1.2.3', { 'x-msisdn': '15550000001' }).kind, 'trusted');
    assert.equal(r.resolve('::ffff:127.0.0.1', { 'x-wap-network-client-msisdn': '+15550000001' }).kind, 'trusted');
    assert.equal(r.resolve('fd00::1', { 'x-msisdn': '15550000001' }).kind, 'trusted');
    assert.equal(r.resolve('192.0.2.1', { 'x-msisdn': '15550000001' }).kind, 'none');
    assert.equal(r.resolve('127.0.0.1', {}).kind, 'none');
    assert.equal(r.resolve('127.0.0.1', { 'x-msisdn': 'someone@example.com' }).kind, 'none');
    const id = r.resolve('127.0.0.1', { 'x-wap-network-client-msisdn': '15550000001', 'x-msisdn': '15559999999' });
    assert.ok(id.kind === 'trusted' && id.address.value === '+15550000001');
  });
  it('refuses a malformed gateway list', () => {
    for (const bad of ['not-an-ip', '10.0.0.0/33', 'fd00::/200', '10.0.0.0/x']) {
      assert.throws(() => new IdentityResolver([bad], [], (x) => parseAddress(x)), /^Error: identity\.trustedGateways: ".*" is not an IP address or CIDR block$/);
    }
  });
});

describe('codec ↔ kernel model', () => {
  it('parts survive m-send-req → kernel → m-retrieve-conf, including transfer encodings and nested multiparts', () => {
    const pdu = decodePdu(
      // A handset's m-send-req (From inserted by the MMSC, To a number) with this body.
      encodePdu({
        ...buildSendReq({ to: '+15550000002' }, '1.2'),
        transactionId: 't1',
        body: {
          contentType: { type: 'application/vnd.wap.multipart.related', params: { type: 'application/smil', start: 'smil' } },
          parts: [
            { contentType: { type: 'application/smil', params: {} }, headers: { contentId: 'smil' }, data: Buffer.from('<smil/>') },
            { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, headers: { contentLocation: 't.txt', contentTransferEncoding: 'base64' }, data: Buffer.from(Buffer.from('héllo').toString('base64')) },
            { contentType: { type: 'image/png', params: {} }, headers: { contentDisposition: { type: 'attachment', params: { filename: 'a.png' } } }, data: Buffer.from([1, 2, 3]) },
          ],
        },
      }),
    );
    assert.equal(pdu.messageType, 'm-send-req');
    const { contentType, parts } = bodyToParts(pdu.body);
    assert.equal(contentType.type, 'application/vnd.wap.multipart.related');
    assert.equal(Buffer.from(parts[1]!.data).toString(), 'héllo');
    assert.equal(parts[2]!.contentDisposition, 'attachment; filename="a.png"');
    const conf = retrieveConf(
      {
        id: 'm1',
        headers: { from: parseAddress('+15550000001'), to: [parseAddress('+15550000002')], cc: [], bcc: [], contentType, subject: { text: 'ünïcode' } },
        origin: { interface: 'mm1' },
        receivedAt: 0,
        expiresAt: 1,
        size: 0,
        partCount: 3,
        recipientCount: 1,
        attributes: {},
      },
      parts,
      '1.2',
    );
    const back = decodePdu(encodePdu(conf));
    assert.equal(back.messageType, 'm-retrieve-conf');
    if (back.messageType !== 'm-retrieve-conf') return;
    assert.equal(back.subject?.text, 'ünïcode');
    assert.equal(back.from?.address, '+15550000001');
    assert.equal(back.body?.parts?.[2]?.headers.contentDisposition?.params?.filename, 'a.png');
    assert.equal(back.body?.contentType.params?.start, 'smil');
    assert.equal(back.body?.parts?.[0]?.headers.contentId, 'smil');
  });
  it('a single-part body becomes one part and back', () => {
    const { contentType, parts } = bodyToParts({ contentType: { type: 'text/plain', params: {} }, data: Buffer.from('x') });
    assert.equal(parts.length, 1);
    const body = partsToBody(contentType, parts);
    assert.ok(body.data);
  });
  it('addresses keep their /TYPE=', () => {
    assert.deepEqual(toEncodedAddress(parseAddress('+15550000001')), { address: '+15550000001', type: 'PLMN' });
    assert.deepEqual(toEncodedAddress(parseAddress('a@b.example')), { address: 'a@b.example' });
  });
});

describe('web page pieces', () => {
  it('escapes HTML and never serves active content inline', () => {
    assert.equal(escapeHtml('<script>"&\''), '&lt;script&gt;&quot;&amp;&#39;');
    assert.equal(safeServedType('text/html'), 'application/octet-stream');
    assert.equal(safeServedType('image/svg+xml'), 'application/octet-stream');
    assert.equal(safeServedType('image/jpeg'), 'image/jpeg');
    const html = renderMessagePage({
      message: {
        id: 'm',
        headers: { from: parseAddress('+15550000001'), to: [], cc: [], bcc: [], contentType: { type: 'multipart/mixed', params: {} }, subject: { text: '<b>hi</b>' }, senderVisibility: 'hide' },
        origin: { interface: 'mm1' },
        receivedAt: 0,
        expiresAt: 0,
        size: 0,
        partCount: 1,
        recipientCount: 1,
        attributes: {},
      },
      parts: [{ contentType: { type: 'text/plain', params: {} }, data: Buffer.from('<img src=x onerror=alert(1)>') }],
      partBase: '/v/t/part',
      expiresAt: 0,
    });
    assert.doesNotMatch(html, /<img src=x/);
    assert.doesNotMatch(html, /<b>hi/);
    assert.doesNotMatch(html, /15550000001/);
  });
  it('ranges', () => {
    const b = Buffer.from('0123456789');
    assert.equal(sliceRange(b, 'bytes=2-4').body?.toString(), '234');
    assert.equal(sliceRange(b, 'bytes=-3').body?.toString(), '789');
    assert.equal(sliceRange(b, 'bytes=8-').headers?.['content-range'], 'bytes 8-9/10');
    assert.equal(sliceRange(b, 'bytes=20-').status, 416);
    assert.equal(sliceRange(b, 'items=1-2').status, 200);
  });
});

describe('originals are served as what they are, unless a browser would run them', () => {
  it('keeps media and document types (with a sane charset), downloads markup and scripts', () => {
    assert.equal(originalServedType({ type: 'application/pdf', params: {} }), 'application/pdf');
    assert.equal(originalServedType({ type: 'image/heic', params: {} }), 'image/heic');
    assert.equal(originalServedType({ type: 'text/plain', params: { charset: 'iso-8859-1' } }), 'text/plain; charset=iso-8859-1');
    assert.equal(originalServedType({ type: 'text/plain', params: { charset: 'x\r\nset-cookie: a' } }), 'text/plain');
    for (const t of ['text/html', 'application/xhtml+xml', 'image/svg+xml', 'application/javascript', 'text/vnd.wap.wml', 'application/xml']) {
      assert.equal(originalServedType({ type: t, params: {} }), 'application/octet-stream', t);
    }
  });
});

describe('access rules', () => {
  const b = parseAddress('+15550000002');
  const c = parseAddress('+15550000003');
  it('content URLs: the vouched recipient, never another vouched subscriber; anonymous as configured', () => {
    assert.deepEqual(contentAccess({ kind: 'trusted', address: b }, b, 'refuse'), { as: 'recipient' });
    assert.equal(contentAccess({ kind: 'trusted', address: c }, b, 'serve-without-state').as, 'refused');
    assert.equal(contentAccess({ kind: 'none', why: 'x' }, b, 'refuse').as, 'refused');
    assert.deepEqual(contentAccess({ kind: 'none', why: 'x' }, b, 'serve-without-state'), { as: 'anonymous' });
  });
  it('originals: any party as vouched; anonymous only with originals: link', () => {
    assert.equal(originalAccess({ kind: 'trusted', address: c }, [b, c], 'recipients').as, 'recipient');
    assert.equal(originalAccess({ kind: 'trusted', address: c }, [b], 'link').as, 'refused');
    assert.equal(originalAccess({ kind: 'none', why: 'x' }, [b], 'link').as, 'anonymous');
    assert.equal(originalAccess({ kind: 'none', why: 'x' }, [b], 'recipients').as, 'refused');
  });
});

describe('decodeUpload: truncation is an error, whatever the codec reports it as', () => {
  it('refuses every cut of a valid m-send-req inside its body', () => {
    const whole = sendReqBytes({ transactionId: 'u-1', to: '+15550000002', text: 'hello', jpeg: fakeJpeg(400) });
    assert.equal(decodeUpload(whole).messageType, 'm-send-req');
    const bodyStart = whole.indexOf(Buffer.from([0x84, 0xa3])) + 2;
    for (let at = bodyStart + 1; at < whole.length; at += 7) {
      assert.throws(() => decodeUpload(whole.subarray(0, at)), (e: Error & { reason?: string }) => e.name === 'MmsDecodeError' && (e.reason === 'truncated' || e.reason === 'length-mismatch'), `cut at ${at}`);
    }
  });
});
