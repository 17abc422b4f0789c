/**
 * What the decoder accepts, the encoder writes back so that it decodes to the same model (issue
 * 13). Each case is a PDU built from raw octets that the codec used to get wrong: text that is not
 * valid in its declared charset, charsets whose octets do not map back the obvious way, parameter
 * and header names or values that are not tokens, names and media types the encoder rewrote.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodePdu, encodePdu, type MmsPdu } from '../src/index.js';
import { hex as h, textz as t } from '@openmmsc/testkit/bytes';

/** An m-send-req (insert-address From, text/plain body) around the given header octets. */
const sendReq = (headers: Buffer): Buffer => Buffer.concat([h('8c 80 98'), t('T1'), h('8d 92 89 01 81'), headers, h('84 83'), Buffer.from('x')]);

/** An m-retrieve-conf whose multipart/mixed body has one entry with these header octets. */
function oneEntry(entryHeaders: Buffer, data = Buffer.from('x')): Buffer {
  return Buffer.concat([h('8c 84 8d 93 85 01 00 84 a3 01'), Buffer.from([entryHeaders.length, data.length]), entryHeaders, data]);
}

/** Decodes, re-encodes and decodes again: the same model, no warnings either time. */
function roundTrips(bytes: Buffer): MmsPdu {
  const first = decodePdu(bytes);
  assert.equal(first.warnings, undefined, JSON.stringify(first.warnings));
  const again = encodePdu(first);
  const second = decodePdu(again);
  assert.equal(second.warnings, undefined);
  assert.deepStrictEqual(second, first, `re-encoded as ${again.toString('hex')}`);
  return first;
}

const subjectOf = (p: MmsPdu): unknown => (p as { subject?: unknown }).subject;

describe('Encoded-string-value text that is not valid in its declared charset', () => {
  test('issue bytes 96 05 83 43 61 66 e9 00: "Café" labelled us-ascii is read as iso-8859-1, with a warning', () => {
    // Subject, value-length 5, charset us-ascii (MIBenum 3), "Caf" 0xE9; the 00 after it is padding.
    const bytes = Buffer.concat([h('8c 80 98'), t('T1'), h('8d 92 89 01 81 96 05 83 43 61 66 e9 00')]);
    const p = decodePdu(bytes);
    assert.deepEqual(subjectOf(p), { text: 'Café', charset: 'iso-8859-1' });
    assert.ok(p.warnings?.some((w) => w.message === 'text is not us-ascii; read as iso-8859-1' && w.offset === 14));
    assert.throws(() => decodePdu(bytes, { strict: true }), { name: 'MmsDecodeError', reason: 'invalid-value' });
    const again = encodePdu(p, { lenient: true });
    assert.ok(again.includes(h('96 06 84 43 61 66 e9 00')), again.toString('hex'));
    assert.deepEqual(subjectOf(decodePdu(again)), { text: 'Café', charset: 'iso-8859-1' });
  });
  test('UTF-8 octets labelled us-ascii are read as utf-8 and written back as they came', () => {
    const p = decodePdu(sendReq(h('96 07 83 43 61 66 c3 a9 00')));
    assert.deepEqual(subjectOf(p), { text: 'Café', charset: 'utf-8' });
    assert.match(p.warnings?.[0]?.message ?? '', /not us-ascii; read as utf-8/);
    assert.ok(encodePdu(p).includes(h('96 07 ea 43 61 66 c3 a9 00')));
  });
  test('octets that are not UTF-8 labelled utf-8 are read as iso-8859-1 (not relabelled silently)', () => {
    const p = decodePdu(sendReq(h('96 06 ea 43 61 66 e9 00')));
    assert.deepEqual(subjectOf(p), { text: 'Café', charset: 'iso-8859-1' });
    assert.match(p.warnings?.[0]?.message ?? '', /not valid utf-8; read as iso-8859-1/);
    assert.ok(encodePdu(p).includes(h('96 06 84 43 61 66 e9 00')));
  });
  test('text the codec reads but cannot write back in its charset (EUC-JP JIS X 0212) is labelled utf-8', () => {
    const p = decodePdu(sendReq(h('96 05 92 8f b0 a1 00')));
    assert.deepEqual(subjectOf(p), { text: '丂', charset: 'utf-8' });
    assert.match(p.warnings?.[0]?.message ?? '', /cannot be written back in euc-jp; labelled utf-8/);
    assert.deepEqual(subjectOf(decodePdu(encodePdu(p))), { text: '丂', charset: 'utf-8' });
  });
  test('a charset the platform cannot decode (ISO-2022-KR), non-ASCII: read as utf-8/latin-1 with a warning', () => {
    const p = decodePdu(sendReq(h('96 04 a5 41 e9 00')));
    assert.deepEqual(subjectOf(p), { text: 'Aé', charset: 'iso-8859-1' });
    assert.match(p.warnings?.[0]?.message ?? '', /charset iso-2022-kr is not supported; read as iso-8859-1/);
  });
});

describe('round trips that used to change the model', () => {
  const cases: [string, Buffer][] = [
    ['Shift_JIS control characters (0x1A reads as U+001C)', sendReq(h('96 03 91 1a 00'))],
    ['UTF-32BE text (was cut at its first NUL and could not be written)', sendReq(h('96 08 02 03 fa 00 00 00 41 00'))],
    ['UTF-8 text that starts with U+FEFF after a byte-order mark', sendReq(h('96 09 ea ef bb bf ef bb bf 41 00'))],
    ['UTF-16 text that starts with U+FEFF after a byte-order mark', sendReq(h('96 0a 02 03 f7 fe ff fe ff 00 41 00'))],
    ['text that starts with DEL in an encoded string', sendReq(h('96 05 84 7f 7f 41 00'))],
    ['a parameter name that is not a token (quoted non-ASCII)', oneEntry(h('0a 83 7f c3 a9 00 22 61 20 62 00'))],
    ['a parameter value that starts with a quote', oneEntry(Buffer.concat([h('06 83 85 22'), t('"x')]))],
    ['a Quoted-string parameter value that starts with DEL', oneEntry(Buffer.concat([h('07 83'), t('x'), h('22 7f 7f 00')]))],
    ['a textual charset parameter in an alias spelling', oneEntry(Buffer.concat([h('0e 83'), t('charset'), t('UTF8')]))],
    ['a media type in mixed case', oneEntry(t('Image/JPEG'))],
    ['an empty media type with parameters', oneEntry(Buffer.concat([h('05 7f 00 85'), t('a')]))],
    ['a level parameter that is not in canonical form', oneEntry(Buffer.concat([h('0c 83'), t('level'), t('1.05')]))],
    ['a q parameter that is not in canonical form', oneEntry(Buffer.concat([h('08 83'), t('q'), t('0.50')]))],
    ['a size parameter with a leading zero', oneEntry(Buffer.concat([h('0a 83'), t('size'), t('007')]))],
    ['a textual header name that is not a token', oneEntry(Buffer.concat([h('83 7f c3 a9 00'), t('v')]))],
    ['a textual header value that starts with a quote', oneEntry(Buffer.concat([h('83'), t('X-A'), h('22'), t('"v')]))],
    ['a Content-Disposition type in mixed case', oneEntry(Buffer.concat([h('83 ae 07'), t('Inline')]))],
    ['an Element-Descriptor parameter value that starts with a quote', Buffer.concat([h('8c 82 98'), t('T'), h('8d 93 8a 80 8e 01 01 88 03 81 01 3c 83'), t('http://x'), h('b2 0a'), t('ref'), t('p'), h('22'), t('"v')])],
  ];
  for (const [name, bytes] of cases) test(name, () => void roundTrips(bytes));
  const c = (name: string): Buffer => cases.find(([n]) => n === name)![1];

  test('the values read are the ones written', () => {
    assert.equal((subjectOf(roundTrips(c('Shift_JIS control characters (0x1A reads as U+001C)'))) as { text: string }).text, '\x1c');
    assert.deepEqual(subjectOf(roundTrips(c('UTF-32BE text (was cut at its first NUL and could not be written)'))), { text: 'A', charset: 'utf-32be' });
    assert.equal((subjectOf(roundTrips(c('UTF-8 text that starts with U+FEFF after a byte-order mark'))) as { text: string }).text, '\ufeffA');
    assert.equal((subjectOf(roundTrips(c('UTF-16 text that starts with U+FEFF after a byte-order mark'))) as { text: string }).text, '\ufeffA');
    assert.deepEqual((roundTrips(c('an Element-Descriptor parameter value that starts with a quote')) as { elementDescriptor?: unknown }).elementDescriptor, { contentReference: 'ref', params: { p: '"v' } });
    const params = (b: Buffer) => roundTrips(b).body!.parts![0]!.contentType;
    assert.deepEqual(params(c('a parameter name that is not a token (quoted non-ASCII)')), { type: 'text/plain', params: { é: 'a b' } });
    assert.deepEqual(params(c('a parameter value that starts with a quote')), { type: 'text/plain', params: { name: '"x' } });
    assert.deepEqual(params(c('a textual charset parameter in an alias spelling')), { type: 'text/plain', params: { charset: 'utf8' } });
    assert.deepEqual(params(c('a media type in mixed case')), { type: 'Image/JPEG', params: {} });
    assert.deepEqual(params(c('an empty media type with parameters')), { type: '', params: { name: 'a' } });
    assert.deepEqual(params(c('a Quoted-string parameter value that starts with DEL')), { type: 'text/plain', params: { x: '\x7f\x7f' } });
  });
});

describe('a parameter named __proto__', () => {
  test('is an own parameter like any other (not the prototype), through decode, encode and JSON', async () => {
    const bytes = oneEntry(Buffer.concat([h('10 83'), t('__proto__'), t('x'), h('85'), t('n')]));
    const ct = roundTrips(bytes).body!.parts![0]!.contentType;
    assert.deepEqual(Object.keys(ct.params!), ['__proto__', 'name']);
    assert.equal(Object.getPrototypeOf(ct.params), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(ct.params, '__proto__')?.value, 'x');
    const { pduToJson } = await import('../src/index.js');
    const json = pduToJson(decodePdu(bytes)) as { body: { parts: { contentType: { params: Record<string, string> } }[] } };
    assert.match(JSON.stringify(json.body.parts[0]!.contentType.params), /"__proto__":"x"/);
  });
});

describe('names the encoder cannot write are refused when decoding', () => {
  test('an empty parameter name: the body is kept as data (lenient) or refused (strict)', () => {
    const bytes = oneEntry(Buffer.concat([h('05 83 7f 00'), t('v')]));
    const p = decodePdu(bytes);
    assert.equal(p.body?.parts, undefined);
    assert.match(p.warnings?.[0]?.message ?? '', /empty parameter name/);
    assert.throws(() => decodePdu(bytes, { strict: true }), { reason: 'invalid-value' });
  });
});

describe('the encoder still writes the binary forms handsets expect', () => {
  test('charset, type, media type and disposition codes for their canonical (and upper-case charset) names', () => {
    const bytes = encodePdu({
      messageType: 'm-retrieve-conf',
      mmsVersion: '1.3',
      date: new Date(0),
      body: {
        contentType: { type: 'application/vnd.wap.multipart.related', params: { type: 'application/smil' } },
        parts: [{ contentType: { type: 'text/plain', params: { charset: 'UTF-8' } }, headers: { contentDisposition: { type: 'inline' } }, data: Buffer.from('x') }],
      },
    });
    // text/plain (0x83); charset (0x81) = utf-8 (0xEA); Content-Disposition (0xAE) inline (0x82)
    assert.ok(bytes.includes(h('03 83 81 ea ae 01 82')), bytes.toString('hex'));
  });
});
