import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeTransferEncoding, MimeError, type MimeWarningKind } from '../src/index.js';

/** base64 of `data` the way senders write it: lines of `width` characters ended by `eol`. */
function lines(data: Buffer, width: number, eol: string): Buffer {
  const b64 = data.toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += width) out += b64.slice(i, i + width) + eol;
  return Buffer.from(out, 'latin1');
}

const refused = (body: Buffer | string, label: string) =>
  assert.throws(() => decodeTransferEncoding(typeof body === 'string' ? Buffer.from(body, 'latin1') : body, 'base64'), (e: unknown) => e instanceof MimeError && e.code === 'base64-invalid', label);

describe('base64 content: decoded without copies when well-formed, refused when not', () => {
  const image = randomBytes(36 * 1024 + 1);

  it('decodes the layouts senders use to the original bytes', () => {
    for (const size of [0, 1, 2, 3, 4, 57, 58, 59, 36 * 1024, image.length]) {
      const data = image.subarray(0, size);
      for (const [label, body] of [
        ['76 + CRLF', lines(data, 76, '\r\n')],
        ['76 + LF', lines(data, 76, '\n')],
        ['64 + CRLF', lines(data, 64, '\r\n')],
        ['one line', Buffer.from(data.toString('base64'), 'latin1')],
        ['groups split by spaces and tabs', Buffer.from((data.toString('base64').match(/.{1,4}/g) ?? []).join(' \t'), 'latin1')],
        ['irregular lines', Buffer.from(data.toString('base64').replace(/(.{1,7})(.{1,30})/g, '$1\r\n$2\n'), 'latin1')],
      ] as const) {
        assert.deepEqual(decodeTransferEncoding(body, 'base64'), data, `${size} bytes, ${label}`);
      }
    }
    // Padding split across a line end, whitespace after it: still the same two characters.
    assert.deepEqual(decodeTransferEncoding(Buffer.from('QQ=\r\n=\r\n \t'), 'base64'), Buffer.from('A'));
  });

  it('refuses base64 that is cut short, padded wrongly or holds bytes outside the alphabet', () => {
    const good = lines(image, 76, '\r\n').toString('latin1');
    const at = good.length >> 1;
    refused(good.slice(0, good.length - 3), 'cut short (not whole groups of four)');
    refused(good.slice(0, at) + good.slice(at + 1), 'one character missing in the middle');
    for (const bad of ['-', '_', '!', '.', '*', '\u0000', '\u0080', '\u00ff', '=']) {
      // Replaced, not inserted: the character count still says "whole groups of four".
      refused(good.slice(0, at) + bad + good.slice(at + 1), `${JSON.stringify(bad)} in place of a base64 character`);
    }
    refused('QUJD-_==', 'URL-safe alphabet');
    refused('QQ==QUJD', 'padding in the middle');
    refused('QUI===', 'three padding characters');
    refused('QUJDRA===', 'padding beyond a whole group');
    refused('Q', 'a single character');
  });

  it('lenient mode still reads the whole groups of something cut short, and says so', () => {
    const warnings: MimeWarningKind[] = [];
    const out = decodeTransferEncoding(Buffer.from('QUJDRE\r\n'), 'base64', (kind) => warnings.push(kind), false);
    assert.deepEqual(out, Buffer.from('ABC'));
    assert.deepEqual(warnings, ['truncated']);
  });
});
