import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { buildMultipart, decodeQuotedPrintable, encodeQuotedPrintable, escapeXml, formatContentType, leafParts, parseContentType, parseMessage, writeMessage, type MimeLeaf } from '../src/index.js';

const binary = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01, 0x0a, 0x0d, 0x2d, 0x2d, 0x0d, 0x0a, 0x2d, 0x2d, 0x62]);
const parts: MimeLeaf[] = [
  { contentType: { type: 'application/smil', params: {} }, contentId: 'smil', contentLocation: 'smil.xml', data: Buffer.from('<smil><body/></smil>') },
  { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentLocation: 'grüße.txt', data: Buffer.from('héllo\nwörld') },
  { contentType: { type: 'image/jpeg', params: { name: 'p.jpg' } }, contentId: '<img1>', data: binary },
];

describe('writing MIME', () => {
  it('writes a message whose part bytes, ids and names read back exactly', () => {
    const raw = writeMessage([['Subject', 'x']], { contentType: { type: 'application/vnd.wap.multipart.related', params: { type: 'application/smil', start: 'smil' } }, parts });
    const entity = parseMessage(raw);
    assert.equal(entity.contentType.type, 'multipart/related');
    assert.equal(entity.contentType.params.start, '<smil>', '`start` goes on the wire as <id>');
    const back = leafParts(entity);
    assert.deepEqual(back.map((p) => p.contentId), ['smil', undefined, 'img1']);
    assert.equal(back[1]!.contentLocation, 'grüße.txt');
    assert.deepEqual(Buffer.from(back[1]!.data), Buffer.from(parts[1]!.data));
    assert.deepEqual(Buffer.from(back[2]!.data), binary);
    assert.match(raw.toString('latin1'), /\r\nContent-ID: <img1>\r\n/);
  });

  it('writes what an independent parser (mailparser) reads the same way', async () => {
    const raw = writeMessage([['From', 'a@example.com'], ['Subject', '=?UTF-8?B?w6l0w6k=?=']], { contentType: { type: 'multipart/mixed', params: {} }, parts });
    const mail = await simpleParser(raw);
    assert.equal(mail.subject, 'été');
    const jpeg = mail.attachments.find((a) => a.contentType === 'image/jpeg');
    assert.ok(jpeg);
    assert.deepEqual(jpeg.content, binary);
    assert.equal(jpeg.contentId, '<img1>');
    const smil = mail.attachments.find((a) => a.contentType === 'application/smil');
    assert.equal(smil?.content.toString(), '<smil><body/></smil>');
    assert.equal(mail.text?.trim(), 'héllo\nwörld');
  });

  it('formats parameters that need quoting or RFC 2231, and reads them back', () => {
    const ct = { type: 'application/octet-stream', params: { name: 'été photo.jpg', boundary: '----=_x', start: '<a@b>' } };
    const text = formatContentType(ct);
    assert.match(text, /name\*(0\*)?=utf-8''/);
    assert.deepEqual(parseContentType(text), ct);
  });

  it('quoted-printable round-trips bytes, with lines of at most 76', () => {
    const data = Buffer.from('Grüße = 100%\r\nline two with trailing space \r\n' + 'x'.repeat(200));
    const qp = encodeQuotedPrintable(data);
    assert.ok(qp.split('\r\n').every((line) => line.length <= 76));
    assert.deepEqual(decodeQuotedPrintable(Buffer.from(qp)), data);
  });

  it('builds a multipart whose closing delimiter and preamble a parser finds', () => {
    const body = buildMultipart([{ headers: { 'Content-Type': 'text/plain' }, body: 'one' }, { headers: [['Content-Type', 'text/plain']], body: Buffer.from('two') }], 'B', 'preamble');
    const entity = parseMessage(Buffer.concat([Buffer.from('Content-Type: multipart/mixed; boundary=B\r\n\r\n'), body]));
    assert.deepEqual(leafParts(entity).map((p) => Buffer.from(p.data).toString()), ['one', 'two']);
  });
});

describe('escaping text for XML and HTML', () => {
  it('escapes the five markup characters and drops what XML cannot carry', () => {
    assert.equal(escapeXml(`a<b>&"c"'d'\u0001\u000b\ufffe`), 'a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;');
    assert.equal(escapeXml('tab\tline\r\n'), 'tab\tline\r\n');
  });
});
