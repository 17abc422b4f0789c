/** WSP primitive encodings (WAP-230-WSP 8.4.2) and charsets. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Cursor } from '../src/wsp/cursor.js';
import { Writer } from '../src/wsp/writer.js';
import { decodeContentType, encodeContentType, type ContentType } from '../src/wsp/content-type.js';
import { decodePartHeaders, encodePartHeaders, type PartHeaders } from '../src/wsp/headers.js';
import { charsetMib, charsetName, decodeCharset, encodeCharset, WspDecodeError } from '../src/index.js';

const cur = (...b: number[]): Cursor => new Cursor(Buffer.from(b));
const written = (f: (w: Writer) => void): string => {
  const w = new Writer(4);
  f(w);
  return w.finish().toString('hex');
};

describe('integers', () => {
  test('uintvar', () => {
    for (const [v, h] of [[0, '00'], [0x7f, '7f'], [0x80, '8100'], [0x3fff, 'ff7f'], [0x4000, '818000'], [0xffffffff, '8fffffff7f']] as const) {
      assert.equal(written((w) => w.uintvar(v)), h);
      assert.equal(new Cursor(Buffer.from(h, 'hex')).uintvar(), v);
    }
    assert.throws(() => cur(0x80, 0x80, 0x80, 0x80, 0x80, 0x01).uintvar(), { reason: 'invalid-uintvar' });
    assert.throws(() => cur(0x81).uintvar(), { reason: 'truncated' });
  });
  test('short, long and integer-value', () => {
    assert.equal(cur(0x85).shortInteger(), 5);
    assert.throws(() => cur(0x05).shortInteger(), WspDecodeError);
    assert.equal(written((w) => w.longInteger(0x6553f100)), '046553f100');
    assert.equal(cur(0x04, 0x65, 0x53, 0xf1, 0x00).longInteger(), 1700000000);
    assert.equal(cur(0x06, 1, 2, 3, 4, 5, 6).longInteger(), 0x010203040506);
    assert.throws(() => cur(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff).longInteger(), { reason: 'integer-overflow' });
    assert.equal(written((w) => w.integerValue(5)), '85');
    assert.equal(written((w) => w.integerValue(300)), '02012c');
    assert.equal(cur(0x02, 0x01, 0x2c).integerValue(), 300);
  });
  test('value-length: short and quoted', () => {
    assert.equal(cur(0x03, 1, 2, 3).valueLength(), 3);
    const long = Buffer.concat([Buffer.from([0x1f, 0x81, 0x00]), Buffer.alloc(128)]);
    assert.equal(new Cursor(long).valueLength(), 128);
    // Past the end of the data: truncated; past an enclosing length inside the data: a mismatch.
    assert.throws(() => cur(0x05, 1).valueLength(), { reason: 'truncated' });
    assert.throws(() => new Cursor(Buffer.from([0x05, 1, 2, 3, 4, 5]), 0, 3).valueLength(), { reason: 'length-mismatch' });
    // a value that grows past 30 octets is moved to make room for the uintvar
    const w = new Writer(8);
    const m = w.beginLength();
    w.raw('x'.repeat(40));
    w.endLength(m);
    const out = w.finish();
    assert.equal(out.subarray(0, 2).toString('hex'), '1f28');
    assert.equal(out.length, 42);
  });
  test('a value entered by its length: reads stop at its end, leaving skips what is left', () => {
    // Value-length 2, then two octets of the value, then 0x99 after it.
    const c = cur(0x02, 0x85, 0x86, 0x99);
    const outer = c.enterValue();
    assert.equal(c.end, 3);
    assert.equal(c.shortInteger(), 5);
    c.leaveValue(outer);
    assert.deepEqual([c.pos, c.end], [3, 4]);
    assert.equal(c.u8(), 0x99);
    // Inside the value, reading past its end is a length mismatch, not truncated data.
    const d = cur(0x01, 0x02, 0x41, 0x42);
    d.enterValue();
    assert.throws(() => d.longInteger(), { reason: 'length-mismatch' });
  });
});

describe('strings', () => {
  test('text-string with and without quote', () => {
    assert.equal(cur(0x41, 0x42, 0x00).textString(), 'AB');
    assert.equal(cur(0x7f, 0xc3, 0xa9, 0x00).textString(), 'é');
    assert.equal(written((w) => w.textString('é')), '7fc3a900');
    assert.equal(written((w) => w.textString('AB')), '414200');
    assert.throws(() => cur(0x41, 0x42).textString(), { reason: 'truncated' });
    assert.throws(() => new Cursor(Buffer.from([0x41, 0x42, 0x43, 0x00]), 0, 2).textString(), { reason: 'unterminated-string' });
  });
  test('non-UTF-8 text falls back to Latin-1', () => {
    assert.equal(cur(0x4b, 0xf6, 0x6c, 0x6e, 0x00).textString(), 'Köln');
  });
  test('quoted-string', () => {
    assert.equal(cur(0x22, 0x3c, 0x61, 0x3e, 0x00).quotedOrText(), '<a>');
    assert.equal(written((w) => w.quotedString('<a>')), '223c613e00');
  });
});

describe('content types', () => {
  const rt = (ct: ContentType): ContentType => {
    const w = new Writer(16);
    encodeContentType(w, ct);
    return decodeContentType(new Cursor(w.finish()));
  };
  test('well-known short form', () => {
    assert.deepEqual(decodeContentType(cur(0x9e)), { type: 'image/jpeg', params: {} });
    assert.equal(written((w) => encodeContentType(w, { type: 'application/vnd.wap.multipart.related', params: {} })), 'b3');
  });
  test('extension media', () => {
    assert.deepEqual(rt({ type: 'audio/amr', params: {} }), { type: 'audio/amr', params: {} });
  });
  test('general form with parameters (both WSP 1.1 and 1.4 codes read)', () => {
    // multipart.related; start=<smil> (0x8A old code); type=application/smil (0x89)
    const b = Buffer.from('1bb38a3c736d696c3e00896170706c69636174696f6e2f736d696c00', 'hex');
    assert.deepEqual(decodeContentType(new Cursor(b)), {
      type: 'application/vnd.wap.multipart.related',
      params: { start: 'smil', type: 'application/smil' },
    });
    // and written back with its brackets: the bytes are the same
    assert.equal(written((w) => encodeContentType(w, { type: 'application/vnd.wap.multipart.related', params: { start: 'smil', type: 'application/smil' } })), b.toString('hex'));
    // text/plain; charset=utf-8 (0x81 0xEA); name=a.txt (0x97 = 1.4 Name)
    const c = Buffer.from('0a83' + '81ea' + '97612e74787400', 'hex');
    assert.deepEqual(decodeContentType(new Cursor(c)), { type: 'text/plain', params: { charset: 'utf-8', name: 'a.txt' } });
  });
  test('round trip of every parameter kind', () => {
    const ct: ContentType = {
      type: 'text/plain',
      params: {
        charset: 'shift_jis',
        name: 'x.txt',
        filename: 'y.txt',
        q: '0.5',
        level: '1.2',
        size: '1234',
        'creation-date': '1700000000',
        'x-custom': 'some value; with spaces',
        token: 'abc',
      },
    };
    assert.deepEqual(rt(ct), ct);
  });
  test('unknown well-known code survives', () => {
    assert.deepEqual(rt({ type: 'application/x-wsp-content-type-5e', params: {} }), { type: 'application/x-wsp-content-type-5e', params: {} });
    assert.deepEqual(decodeContentType(cur(0xde)), { type: 'application/x-wsp-content-type-5e', params: {} });
  });
});

describe('part headers', () => {
  test('Content-ID, Content-Location, Content-Disposition, others', () => {
    const h: PartHeaders = {
      contentId: 'img1',
      contentLocation: 'img1.jpg',
      contentDisposition: { type: 'inline', params: { filename: 'img1.jpg' } },
      other: [{ name: 'X-Foo', value: 'bar' }, { code: 0x0d, name: 'Content-Length', raw: Buffer.from([0x85]) }],
      contentTransferEncoding: 'base64',
    };
    const w = new Writer(8);
    encodePartHeaders(w, h, 'h');
    const b = w.finish();
    assert.deepEqual(decodePartHeaders(new Cursor(b), b.length, 100), h);
    // the bracket pair is on the wire (0xC0 Content-ID, quoted string "<img1>), not in the model
    assert.equal(b.subarray(0, 9).toString('hex'), 'c0223c696d67313e00');
  });
  test('Content-ID: a sender that leaves out the brackets is read as the same id', () => {
    const b = Buffer.from('c022696d673100', 'hex'); // Content-ID: "img1 (no brackets)
    assert.deepEqual(decodePartHeaders(new Cursor(b), b.length, 100), { contentId: 'img1' });
  });
  test('header count limit', () => {
    const b = Buffer.from('8e6100'.repeat(10), 'hex');
    assert.throws(() => decodePartHeaders(new Cursor(b), b.length, 5), { reason: 'limit-exceeded' });
  });
});

describe('charsets', () => {
  test('MIBenum names', () => {
    assert.equal(charsetName(106), 'utf-8');
    assert.equal(charsetName(17), 'shift_jis');
    assert.equal(charsetName(2026), 'big5');
    assert.equal(charsetName(1000), 'iso-10646-ucs-2');
    assert.equal(charsetMib('UTF-8'), 106);
    assert.equal(charsetMib('gb2312'), 2025);
    assert.equal(charsetMib('us-ascii'), 3);
    assert.equal(charsetMib('mib-4242'), 4242);
  });
  const samples: [string, string][] = [
    ['utf-8', 'Grüße ✓ 漢字'],
    ['us-ascii', 'plain text'],
    ['iso-8859-1', 'Grüße'],
    ['iso-8859-2', 'Zażółć gęślą jaźń'],
    ['iso-8859-5', 'Привет'],
    ['iso-8859-7', 'Καλημέρα'],
    ['iso-8859-15', 'Prix: 10 €'],
    ['iso-10646-ucs-2', 'Grüße 漢字'],
    ['utf-16be', 'Grüße 漢字'],
    ['utf-16le', 'Grüße 漢字'],
    ['shift_jis', 'こんにちは世界 ｶﾀｶﾅ'],
    ['euc-jp', 'こんにちは'],
    ['gb2312', '你好世界'],
    ['gbk', '你好，世界'],
    ['big5', '你好世界'],
    ['euc-kr', '안녕하세요'],
    ['koi8-r', 'Привет'],
    ['windows-1251', 'Привет'],
  ];
  for (const [cs, text] of samples) {
    test(`${cs} encode/decode`, () => {
      const bytes = encodeCharset(text, cs);
      assert.equal(decodeCharset(bytes, cs), text);
      assert.equal(decodeCharset(bytes, charsetMib(cs)), text);
    });
  }
  test('known byte values', () => {
    assert.equal(encodeCharset('あ', 'shift_jis').toString('hex'), '82a0');
    assert.equal(encodeCharset('中', 'gb2312').toString('hex'), 'd6d0');
    assert.equal(encodeCharset('中', 'big5').toString('hex'), 'a4a4');
    assert.equal(encodeCharset('A', 'iso-10646-ucs-2').toString('hex'), '0041');
    assert.equal(decodeCharset(Buffer.from('fffe4100', 'hex'), 'utf-16'), 'A');
  });
  test('unencodable characters are a WspEncodeError', () => {
    assert.throws(() => encodeCharset('漢', 'iso-8859-1'), { name: 'WspEncodeError' });
    assert.throws(() => encodeCharset('✓', 'shift_jis'), { name: 'WspEncodeError' });
  });
});
