import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedFor, readCorpus } from '@openmmsc/conformance';
import { parseAddress } from '@openmmsc/core';
import { MimeError, header, parseMail, writeMail } from '../src/mime.js';
import { deliveryStatusFor, mm4Address, parseMm4Address, readEnvelope, readStatusFor } from '../src/protocol.js';

describe('MM4 MIME', () => {
  it('writes and reads back an MMS with exact part bytes', () => {
    const binary = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01, 0x0a, 0x0d, 0x2d, 0x2d]);
    const raw = writeMail(
      [
        ['X-Mms-Message-Type', 'MM4_forward.REQ'],
        ['Subject', '=?UTF-8?B?w6l0w6k=?='],
      ],
      {
        contentType: { type: 'application/vnd.wap.multipart.related', params: { type: 'application/smil', start: '<smil>' } },
        parts: [
          { contentType: { type: 'application/smil', params: {} }, contentId: 'smil', contentLocation: 'smil.xml', data: Buffer.from('<smil><body/></smil>') },
          { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentLocation: 'text.txt', data: Buffer.from('héllo\nwörld') },
          { contentType: { type: 'image/jpeg', params: { name: 'p.jpg' } }, contentId: 'img1', data: binary },
        ],
      },
    );
    const parsed = parseMail(raw);
    assert.equal(parsed.contentType.type, 'multipart/related');
    assert.equal(parsed.contentType.params.type, 'application/smil');
    assert.equal(parsed.parts.length, 3);
    assert.equal(parsed.parts[0]!.contentId, 'smil');
    assert.equal(Buffer.from(parsed.parts[1]!.data).toString(), 'héllo\nwörld');
    assert.deepEqual(Buffer.from(parsed.parts[2]!.data), binary);
    assert.equal(parsed.parts[2]!.contentLocation, 'p.jpg');
    assert.equal(header(parsed.headers, 'subject'), '=?UTF-8?B?w6l0w6k=?=');
  });

  it('refuses what it cannot read, with a reason', () => {
    assert.throws(() => parseMail(Buffer.from('Content-Type: multipart/mixed\r\n\r\nno boundary')), MimeError);
    assert.throws(() => parseMail(Buffer.from('Content-Type: multipart/mixed; boundary=x\r\n\r\nnothing here')), /boundary not found/);
    assert.throws(() => parseMail(Buffer.from('Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!')), /base64/);
    assert.throws(() => parseMail(Buffer.from('not a header line\r\n\r\nbody')), /malformed header/);
    const deep = (n: number): string => (n === 0 ? 'Content-Type: text/plain\r\n\r\nx' : `Content-Type: multipart/mixed; boundary=b${n}\r\n\r\n--b${n}\r\n${deep(n - 1)}\r\n--b${n}--`);
    assert.throws(() => parseMail(Buffer.from(deep(8)), { maxDepth: 5, maxParts: 100, maxHeaderBytes: 65536 }), /nesting/);
  });
});

describe('MM4 MIME: strict about structure, counted about deviations', () => {
  const mail = (head: string, body: string) => Buffer.from(`${head}\r\n\r\n${body}`);
  it('refuses a structure cut short or not holding what it declares', () => {
    assert.throws(() => parseMail(mail('Content-Type: multipart/mixed; boundary=x', '--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n')), /cut short: no closing --x--/);
    assert.throws(() => parseMail(mail('Content-Type: multipart/mixed; boundary=x', '--x--\r\n')), /no parts/);
    assert.throws(() => parseMail(mail('Content-Type: image/png\r\nContent-Transfer-Encoding: base64', 'iVBORw0KGgoAAAANSUhEUgA\r\n')), /base64 content invalid or cut short/);
    assert.throws(() => parseMail(mail('Content-Type: multipart/related; start="<a>"; boundary=x', '--x\r\nContent-ID: <b>\r\n\r\nhi\r\n--x--')), /start=<a> names no part/);
  });

  it('tells a boundary from a longer one that starts with it', () => {
    const body = '--b1\r\nContent-Type: multipart/mixed; boundary=b10\r\n\r\n--b10\r\nContent-Type: text/plain\r\n\r\ninner\r\n--b10--\r\n--b1--\r\n';
    const parsed = parseMail(mail('Content-Type: multipart/mixed; boundary=b1', body));
    assert.deepEqual(parsed.parts.map((p) => Buffer.from(p.data).toString()), ['inner']);
  });

  it('reads past duplicate headers, 8-bit header bytes and bare LF, with warnings', () => {
    const parsed = parseMail(Buffer.from('Date: a\nDate: b\nSubject: Gr\xc3\xbc\xc3\x9fe\nContent-Type: text/plain\n\nhi\n', 'latin1'));
    assert.equal(header(parsed.headers, 'date'), 'a');
    assert.deepEqual(parsed.warnings, ['2 date headers; the first is used', 'raw 8-bit bytes in the Subject header (read as UTF-8)', 'bare LF line endings']);
  });
});

describe('MM4 addresses and values', () => {
  const parse = (raw: string) => parseAddress(raw);
  it('formats and reads +E164/TYPE=PLMN@domain', () => {
    assert.equal(mm4Address(parseAddress('+15550001'), 'mms.example'), '+15550001/TYPE=PLMN@mms.example');
    assert.deepEqual(parseMm4Address('+15550001/TYPE=PLMN@MMS.example', parse), { address: { type: 'plmn', value: '+15550001' }, domain: 'mms.example' });
    assert.deepEqual(parseMm4Address('"Bob" <+15550001@mms.example>', parse).address, { type: 'plmn', value: '+15550001' });
    assert.deepEqual(parseMm4Address('+12025550100', parse).address, { type: 'plmn', value: '+12025550100' });
    assert.deepEqual(parseMm4Address('bob@mail.example', parse).address, { type: 'email', value: 'bob@mail.example' });
    assert.equal(deliveryStatusFor('Retrieved'), 'retrieved');
    assert.equal(readStatusFor('Deleted without being read'), 'deleted-without-reading');
  });
});

describe('corpus: MM4 samples with deviations seen in the field decode', () => {
  for (const name of ['forward_req.eml', 'delivery_report_req.eml', 'read_reply_report_req.eml']) {
    it(name, () => {
      const raw = readCorpus(`openmmsc/mm4/${name}`);
      const expected = expectedFor<{ asserted: Record<string, unknown> }>(`openmmsc/mm4/${name}`)!;
      const a = expected.asserted;
      const parsed = parseMail(raw);
      const env = readEnvelope(parsed.headers);
      assert.ok(env);
      assert.equal(env.type, a['X-Mms-Message-Type']);
      assert.equal(env.messageId, a.message_id);
      assert.equal(env.transactionId, a.transaction_id);
      if (a['X-Mms-Request-Status-Code']) assert.equal(env.requestStatus, a['X-Mms-Request-Status-Code']);
      if (a['X-Mms-MM-Status-Code']) assert.equal(header(parsed.headers, 'x-mms-mm-status-code') ?? header(parsed.headers, 'x-mms-status'), a['X-Mms-MM-Status-Code']);
      if (a['X-Mms-Read-Status']) assert.equal(header(parsed.headers, 'x-mms-read-status'), a['X-Mms-Read-Status']);
      if (a.from) assert.equal(parseMm4Address(header(parsed.headers, 'from')!, parse).address.value, a.from);
      if (a.to) assert.deepEqual([parseMm4Address(header(parsed.headers, 'to')!, parse).address.value], a.to);
      if (a.part_count !== undefined) {
        assert.equal(parsed.parts.length, a.part_count);
        const p0 = a['parts[0]'] as { content_type: string; data: string };
        assert.equal(parsed.parts[0]!.contentType.type, p0.content_type);
        assert.equal(Buffer.from(parsed.parts[0]!.data).toString(), p0.data);
      }
    });
  }
});
function parse(raw: string) {
  return parseAddress(raw);
}
