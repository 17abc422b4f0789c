/** Decoder limits, nested multiparts, zero-copy bodies, typed errors with offsets. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodePdu, encodePdu, startPart, MmsDecodeError, type WspPart, type MmsPdu } from '../src/index.js';
import { readCorpus } from './helpers.js';

const part = (i: number): WspPart => ({ contentType: { type: 'text/plain', params: {} }, headers: { contentId: `p${i}` }, data: Buffer.from(`part ${i}`) });

function retrieve(parts: WspPart[], media = 'application/vnd.wap.multipart.mixed'): MmsPdu {
  return { messageType: 'm-retrieve-conf', mmsVersion: '1.3', date: new Date(0), body: { contentType: { type: media, params: {} }, parts } };
}

describe('limits', () => {
  test('maxParts', () => {
    const bytes = encodePdu(retrieve(Array.from({ length: 30 }, (_, i) => part(i))));
    assert.equal(decodePdu(bytes).body?.parts?.length, 30);
    assert.throws(() => decodePdu(bytes, { maxParts: 10 }), (e: unknown) => e instanceof MmsDecodeError && e.reason === 'limit-exceeded');
  });
  test('maxDepth and nested multiparts', () => {
    let inner: WspPart = part(0);
    for (let d = 0; d < 5; d++) inner = { contentType: { type: 'application/vnd.wap.multipart.alternative', params: {} }, headers: {}, data: Buffer.alloc(0), parts: [inner, part(d + 1)] };
    const bytes = encodePdu(retrieve([inner]));
    const p = decodePdu(bytes, { maxDepth: 10 });
    let depth = 1;
    let node = p.body!.parts![0]!;
    while (node.parts) {
      depth++;
      node = node.parts[0]!;
    }
    assert.equal(depth, 6);
    assert.equal(Buffer.from(node.data).toString(), 'part 0');
    assert.throws(() => decodePdu(bytes, { maxDepth: 3 }), (e: unknown) => e instanceof MmsDecodeError && e.reason === 'limit-exceeded');
  });
  test('maxHeaders', () => {
    const pdu: MmsPdu = {
      messageType: 'm-send-req',
      transactionId: 't',
      mmsVersion: '1.2',
      from: { address: 'a@b' },
      to: Array.from({ length: 50 }, (_, i) => ({ address: `+1555000${i}`, type: 'PLMN' })),
      body: { contentType: { type: 'text/plain', params: {} }, data: Buffer.from('x') },
    };
    const bytes = encodePdu(pdu);
    assert.equal((decodePdu(bytes) as { to?: unknown[] }).to?.length, 50);
    assert.throws(() => decodePdu(bytes, { maxHeaders: 20 }), (e: unknown) => e instanceof MmsDecodeError && e.reason === 'limit-exceeded');
  });
  test('headersOnly leaves the body as one view', () => {
    const bytes = readCorpus('peer-encoders/bench-retrieve-conf.mms');
    const p = decodePdu(bytes, { headersOnly: true });
    assert.equal(p.body?.parts, undefined);
    assert.equal(p.body?.data?.buffer, bytes.buffer);
  });
});

describe('zero-copy and typed errors', () => {
  test('part bodies are views of the input, also for a plain Uint8Array', () => {
    const src = readCorpus('peer-encoders/bench-retrieve-conf.mms');
    const u8 = new Uint8Array(src.length + 16).subarray(8, 8 + src.length);
    u8.set(src);
    const p = decodePdu(u8);
    for (const x of p.body!.parts!) assert.equal(x.data.buffer, u8.buffer);
    const jpeg = p.body!.parts![1]!;
    const at = jpeg.data.byteOffset - u8.byteOffset;
    u8[at] = u8[at]! ^ 0xff; // writing the input shows through the view
    assert.equal(jpeg.data[0], src[jpeg.data.byteOffset - u8.byteOffset]! ^ 0xff);
  });
  test('start part of multipart/related', () => {
    const p = decodePdu(readCorpus('peer-encoders/bench-retrieve-conf.mms'));
    assert.equal(startPart(p)?.contentType.type, 'application/smil');
  });
  test('truncated input: error with offset', () => {
    const src = readCorpus('mmsd/embedded/mms_m_notify_ind_1.mms');
    for (let n = 0; n < src.length; n++) {
      try {
        decodePdu(src.subarray(0, n));
      } catch (e) {
        assert.ok(e instanceof MmsDecodeError, `cut at ${n}: ${String(e)}`);
        assert.ok(e.offset >= 0 && e.offset <= n, `offset ${e.offset} within ${n}`);
      }
    }
  });
  test('not MMS / unknown message type', () => {
    assert.throws(() => decodePdu(Buffer.from('hello world')), { name: 'MmsDecodeError', reason: 'not-mms' });
    assert.throws(() => decodePdu(Buffer.from([0x8c, 0xa0, 0x98, 0x41, 0x00])), { name: 'MmsDecodeError', reason: 'unknown-message-type', offset: 1 });
    assert.throws(() => decodePdu(new Uint8Array(0)), { name: 'MmsDecodeError', reason: 'truncated' });
  });
});

describe('encodePduChunks', () => {
  test('chunks concatenate to encodePdu output; bodies are not copied', async () => {
    const { encodePduChunks } = await import('../src/index.js');
    const src = readCorpus('peer-encoders/bench-retrieve-conf.mms');
    const pdu = decodePdu(src);
    const chunks = encodePduChunks(pdu);
    assert.deepEqual(Buffer.concat(chunks), encodePdu(pdu));
    assert.ok(chunks.some((c) => c === pdu.body!.parts![1]!.data), 'the JPEG body is passed through as is');
    const small = encodePduChunks({ messageType: 'm-notifyresp-ind', transactionId: 't', mmsVersion: '1.2', status: 'retrieved' });
    assert.equal(small.length, 1);
  });
});
