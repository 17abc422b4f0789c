import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCharset, decodeWords, header, leafParts, MimeError, parseContentType, parseHead, parseMessage, type MimeErrorCode, type MimeWarning, type ReadOptions } from '../src/index.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function read(raw: Buffer, options: ReadOptions = {}) {
  const warnings: MimeWarning[] = [];
  const entity = parseMessage(raw, { ...options, warn: (kind, message) => warnings.push({ kind, message }) });
  return { entity, warnings, parts: leafParts(entity) };
}

function refused(raw: Buffer, code: MimeErrorCode, message?: RegExp, options: ReadOptions = {}): void {
  assert.throws(
    () => leafParts(parseMessage(raw, options)),
    (e: unknown) => e instanceof MimeError && e.code === code && (!message || message.test(e.message)),
    `expected MimeError ${code}`,
  );
}

describe('reading MIME', () => {
  it('reads multipart/related with a nested multipart/alternative, base64, quoted-printable, RFC 2047 and RFC 2231 names', () => {
    const raw = crlf([
      'Content-Type: multipart/related; boundary="OUT"; type="application/smil"; start="<smil@x>"',
      '',
      'preamble to ignore',
      '--OUT',
      'Content-Type: application/smil',
      'Content-ID: <smil@x>',
      '',
      '<smil/>',
      '--OUT',
      'Content-Type: multipart/alternative; boundary=ALT',
      '',
      '--ALT',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      'Content-Location: =?utf-8?B?w6l0w6kudHh0?=',
      '',
      'Gr=FC=DFe, a long line =',
      'joined',
      '--ALT',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>hi</p>',
      '--ALT--',
      '--OUT',
      'Content-Type: image/gif',
      "Content-Disposition: attachment; filename*0*=utf-8''%C3%A9; filename*1=t.gif",
      'Content-ID: pic',
      'Content-Transfer-Encoding: base64',
      '',
      GIF.toString('base64').slice(0, 40),
      GIF.toString('base64').slice(40),
      '--OUT--',
      'epilogue',
    ]);
    const { entity, parts, warnings } = read(raw);
    assert.equal(entity.contentType.type, 'multipart/related');
    assert.equal(entity.contentType.params.start, '<smil@x>');
    assert.deepEqual(parts.map((p) => p.contentType.type), ['application/smil', 'text/plain', 'text/html', 'image/gif']);
    assert.equal(parts[0]!.contentId, 'smil@x', 'Content-IDs are kept bare');
    assert.equal(decodeCharset(parts[1]!.data, parts[1]!.contentType.params.charset!), 'Grüße, a long line joined');
    assert.equal(parts[1]!.contentLocation, 'été.txt');
    assert.deepEqual(Buffer.from(parts[3]!.data), GIF);
    assert.equal(parts[3]!.contentLocation, 'ét.gif');
    assert.equal(parts[3]!.contentId, 'pic');
    assert.deepEqual(warnings, []);
  });

  it('reads LF line ends, transport padding and a boundary that prefixes a longer one, with warnings', () => {
    const raw = Buffer.from('Content-Type: multipart/mixed; boundary=b1\n\n--b1  \nContent-Type: multipart/mixed; boundary=b10\n\n--b10\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\na=3Db =zz\n--b10--\n--b1--\n');
    const { parts, warnings } = read(raw);
    assert.deepEqual(parts.map((p) => Buffer.from(p.data).toString()), ['a=b =zz']);
    assert.deepEqual(warnings.map((w) => w.kind).sort(), ['bare-lf', 'bare-lf', 'qp-stray-equals']);
  });

  it('reads a Content-Type with RFC 2231 continuations and a charset, and falls back to RFC 2045 defaults', () => {
    const ct = parseContentType("application/octet-stream; name*0*=iso-8859-1''%E9t; name*1*=%E9.bin; x=\"a;b\"");
    assert.deepEqual(ct, { type: 'application/octet-stream', params: { name: 'été.bin', x: 'a;b' } });
    assert.deepEqual(parseContentType(undefined), { type: 'text/plain', params: { charset: 'us-ascii' } });
    assert.equal(decodeWords('=?iso-8859-1?Q?caf=E9?= =?utf-8?B?IMOp?='), 'café é');
    assert.equal(decodeWords('=?windows-1251?B?z/Do4uXy?='), 'Привет');
  });

  it('reads a message head and reports deviations in it', () => {
    const warnings: string[] = [];
    const head = parseHead(Buffer.from('Date: a\nDate: b\nSubject: Gr\xc3\xbc\xc3\x9fe\nContent-Type: text/plain\n\nhi\n', 'latin1'), { warn: (_k, m) => warnings.push(m) });
    assert.equal(header(head.headers, 'date'), 'a');
    assert.equal(head.body.toString(), 'hi\n');
    assert.deepEqual(warnings, ['2 date headers; the first is used', 'raw 8-bit bytes in the Subject header (read as UTF-8)', 'bare LF line endings']);
  });

  it('finds a bare LF anywhere in the message, and only a bare one', () => {
    const bare = (text: string) => parseHead(Buffer.from(text, 'latin1')).bareLf;
    assert.equal(bare('Subject: a\r\nContent-Type: text/plain\r\n\r\nline 1\r\nline 2\r\n'), false);
    assert.equal(bare('Subject: a\r\n\r\nline 1\r\nline 2\nline 3\r\n'), true, 'one LF deep in the body');
    assert.equal(bare('Subject: a\r\n\r\nno line end at all'), false);
    assert.equal(bare(`Subject: a\r\n\r\n${'x'.repeat(100_000)}\r\n\n`), true, 'the last byte');
    assert.equal(bare('Subject: a\r\n\r\nlone CR\r is not LF\r\n'), false);
  });
});

describe('strict mode: structure that does not hold is a typed MimeError', () => {
  const mail = (head: string, body: string) => Buffer.from(`${head}\r\n\r\n${body}`, 'latin1');
  it('refuses a multipart without its closing boundary, and base64 cut short', () => {
    refused(mail('Content-Type: multipart/mixed; boundary=x', '--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n'), 'multipart-truncated', /cut short: no closing --x--/);
    refused(mail('Content-Type: image/png\r\nContent-Transfer-Encoding: base64', 'iVBORw0KGgoAAAANSUhEUgA\r\n'), 'base64-invalid', /base64 content invalid or cut short/);
    refused(mail('Content-Type: image/png\r\nContent-Transfer-Encoding: base64', '!!!!'), 'base64-invalid');
  });

  it('refuses every other broken structure with its own code', () => {
    refused(mail('Content-Type: multipart/mixed', 'no boundary'), 'no-boundary');
    refused(mail('Content-Type: multipart/mixed; boundary=x', 'nothing here'), 'boundary-not-found', /boundary not found/);
    refused(mail('Content-Type: multipart/mixed; boundary=x', '--x--\r\n'), 'multipart-empty', /no parts/);
    refused(Buffer.from('not a header line\r\n\r\nbody'), 'malformed-header', /malformed header/);
    refused(mail('Content-Type: text', 'x'), 'malformed-content-type');
    refused(mail('Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode', 'x'), 'unknown-transfer-encoding');
    refused(mail('Content-Type: multipart/related; start="<a>"; boundary=x', '--x\r\nContent-ID: <b>\r\n\r\nhi\r\n--x--'), 'related-root', /start=<a> names no part/);
    refused(mail('Content-Type: multipart/related; start="<a>"; type="application/smil"; boundary=x', '--x\r\nContent-ID: <a>\r\n\r\nhi\r\n--x--'), 'related-root', /root <a> is text\/plain/);
    const deep = (n: number): string => (n === 0 ? 'Content-Type: text/plain\r\n\r\nx' : `Content-Type: multipart/mixed; boundary=b${n}\r\n\r\n--b${n}\r\n${deep(n - 1)}\r\n--b${n}--`);
    refused(Buffer.from(deep(8)), 'too-deep', /nesting deeper than 5/);
    const many = `--m\r\n${Array.from({ length: 5 }, () => 'Content-Type: text/plain\r\n\r\nx\r\n--m').join('\r\n')}--`;
    refused(mail('Content-Type: multipart/mixed; boundary=m', many), 'too-many-parts', undefined, { limits: { maxParts: 4, maxDepth: 5, maxHeaderBytes: 1024 } });
    refused(mail(`Content-Type: text/plain\r\nX-Big: ${'a'.repeat(2000)}`, 'x'), 'header-too-large', undefined, { limits: { maxParts: 4, maxDepth: 5, maxHeaderBytes: 1024 } });
  });

  it('lenient mode reads what is there and says it was cut short', () => {
    const raw = mail('Content-Type: multipart/mixed; boundary=x', '--x\r\nContent-Type: text/plain\r\n\r\none\r\n--x\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgA');
    const { parts, warnings } = read(raw, { strict: false });
    assert.equal(parts.length, 2);
    assert.equal(Buffer.from(parts[0]!.data).toString(), 'one');
    assert.deepEqual(Buffer.from(parts[1]!.data), Buffer.from('iVBORw0KGgoAAAANSUhE', 'base64'));
    assert.deepEqual(warnings.map((w) => w.kind).sort(), ['truncated', 'truncated']);
  });
});
