/**
 * encodePduVectored: the chunks concatenate to exactly the bytes of encodePdu (over the corpus and
 * generated PDU models with bodies large enough to be passed on), `length` is their sum, and
 * every body of INLINE_BODY_BYTES or more is in the chunks as the very array of the PDU (no copy),
 * nested multiparts included.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePdu, encodePdu, encodePduVectored, INLINE_BODY_BYTES, type MmsPdu, type WspPart } from '../src/index.js';
import { corpusPduFiles, readCorpus } from './helpers.js';
import { pduModel } from './arbitraries.js';

const RUNS = Math.max(100, Math.floor(Number(process.env.CODEC_FUZZ_RUNS ?? 1500) / 3));

/** Every leaf body of the PDU, depth first, in wire order. */
function leafBodies(pdu: MmsPdu): Uint8Array[] {
  const out: Uint8Array[] = [];
  const walk = (parts: readonly WspPart[]): void => {
    for (const p of parts) {
      if (p.parts) walk(p.parts);
      else out.push(p.data);
    }
  };
  if (pdu.body?.parts) walk(pdu.body.parts);
  else if (pdu.body?.data) out.push(pdu.body.data);
  return out;
}

/** The vectored encoding matches encodePdu byte for byte, and passes large bodies on as they are. */
function checkVectored(pdu: MmsPdu, lenient: boolean): void {
  const opts = { lenient };
  const whole = encodePdu(pdu, opts);
  const { chunks, length } = encodePduVectored(pdu, opts);
  assert.equal(length, whole.length, 'length is the size of the PDU');
  assert.equal(chunks.reduce((n, c) => n + c.length, 0), length, 'length is the sum of the chunks');
  assert.ok(Buffer.concat(chunks).equals(whole), 'chunks concatenate to the encodePdu bytes');
  const large = leafBodies(pdu).filter((b) => b.length >= INLINE_BODY_BYTES);
  const passed = chunks.filter((c) => large.includes(c));
  assert.deepEqual(passed, large, 'every large body is a chunk of its own, the same array, in order');
  // (Small buffers may share Node's pool with a body: what matters is that no bytes overlap.)
  const overlaps = (a: Uint8Array, b: Uint8Array): boolean =>
    a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
  for (const c of chunks) {
    if (large.includes(c)) continue;
    assert.ok(!leafBodies(pdu).some((b) => overlaps(c, b)), 'header chunks are fresh memory, not a view of a body');
  }
}

/** A generated PDU with some bodies grown past INLINE_BODY_BYTES (their bytes repeated), so that the chunk path is taken. */
function enlarged(pdu: MmsPdu, sizes: number[]): MmsPdu {
  let k = 0;
  const grow = (data: Uint8Array): Uint8Array => {
    const size = sizes[k++ % sizes.length]!;
    if (size === 0 || data.length === 0) return data;
    const out = new Uint8Array(INLINE_BODY_BYTES - 1 + size);
    for (let i = 0; i < out.length; i++) out[i] = data[i % data.length]!;
    return out;
  };
  const parts = (list: readonly WspPart[]): WspPart[] => list.map((p) => (p.parts ? { ...p, parts: parts(p.parts) } : { ...p, data: grow(p.data) }));
  if (!pdu.body) return pdu;
  const body = pdu.body.parts ? { ...pdu.body, parts: parts(pdu.body.parts) } : { ...pdu.body, data: grow(pdu.body.data!) };
  return { ...pdu, body } as MmsPdu;
}

describe('encodePduVectored', () => {
  test('corpus: chunks are the encodePdu bytes; bodies of 1 KB or more are the decoded views', () => {
    let checked = 0;
    let passedOn = 0;
    for (const file of corpusPduFiles()) {
      let pdu: MmsPdu;
      try {
        pdu = decodePdu(readCorpus(file));
      } catch {
        continue; // files the decoder refuses are the business of corpus.test.ts
      }
      checkVectored(pdu, true);
      checked++;
      passedOn += leafBodies(pdu).filter((b) => b.length >= INLINE_BODY_BYTES).length;
    }
    assert.ok(checked >= 20, `${checked} corpus PDUs checked`);
    assert.ok(passedOn >= 10, `${passedOn} bodies passed on`);
  });

  test('the 51 KB peer PDU: three chunks, the JPEG is the decoded view itself', () => {
    const src = readCorpus('peer-encoders/bench-retrieve-conf.mms');
    const pdu = decodePdu(src);
    const jpeg = pdu.body!.parts![1]!.data;
    const { chunks, length } = encodePduVectored(pdu);
    assert.equal(length, src.length);
    assert.equal(chunks.length, 3, 'headers with SMIL, JPEG, headers with text');
    assert.equal(chunks[1], jpeg);
    assert.equal(chunks[1]!.buffer, src.buffer, 'the JPEG chunk is memory of the input file, not a copy');
    assert.ok(Buffer.concat(chunks).equals(src), 'Android wrote it the way we do');
  });

  test('a body given as a plain Uint8Array (not a Buffer) is passed on as it is', () => {
    const data = new Uint8Array(5000).fill(7);
    const pdu: MmsPdu = { messageType: 'm-retrieve-conf', mmsVersion: '1.2', date: new Date(0), body: { contentType: { type: 'image/png', params: {} }, data } };
    const { chunks } = encodePduVectored(pdu);
    assert.equal(chunks.length, 2);
    assert.equal(chunks[1], data);
    checkVectored(pdu, false);
  });

  test('nested multipart: the inner bodies are passed on too, and the lengths in front of them are right', () => {
    const big = Buffer.alloc(4000, 0x42);
    const small = Buffer.from('tiny');
    const pdu: MmsPdu = {
      messageType: 'm-retrieve-conf',
      mmsVersion: '1.2',
      date: new Date(1700000000000),
      body: {
        contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} },
        parts: [
          {
            contentType: { type: 'application/vnd.wap.multipart.alternative', params: {} },
            headers: {},
            data: new Uint8Array(0),
            parts: [
              { contentType: { type: 'text/plain', params: {} }, headers: {}, data: small },
              { contentType: { type: 'image/gif', params: {} }, headers: {}, data: big },
            ],
          },
        ],
      },
    };
    checkVectored(pdu, false);
    const back = decodePdu(Buffer.concat(encodePduVectored(pdu).chunks));
    assert.ok(Buffer.from(back.body!.parts![0]!.parts![1]!.data).equals(big));
  });

  test('property: generated PDU models, some bodies grown past the inline size', () => {
    fc.assert(
      fc.property(pduModel, fc.array(fc.constantFrom(0, 1, 700, 3000), { minLength: 1, maxLength: 4 }), (model, sizes) => {
        const pdu = enlarged(model, sizes);
        let whole: Buffer;
        try {
          whole = encodePdu(pdu, { lenient: true });
        } catch (e) {
          // A model the encoder refuses is refused the same way by the vectored path.
          assert.throws(() => encodePduVectored(pdu, { lenient: true }), { name: (e as Error).name, message: (e as Error).message });
          return;
        }
        assert.ok(whole.length > 0);
        checkVectored(pdu, true);
      }),
      { numRuns: RUNS },
    );
  });
});
