/**
 * Property tests: random and mutated bytes get only typed errors (or a PDU that re-encodes), never
 * another exception, never a hang, with bounded memory. CODEC_FUZZ_RUNS=<n> for a long run.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodePdu,
  decodeSmsTpdu,
  decodeWapPush,
  encodePdu,
  parseUdh,
  CodecDecodeError,
  MmsDecodeError,
  MmsEncodeError,
  WspEncodeError,
  type MmsPdu,
} from '../src/index.js';
import { readCorpus } from './helpers.js';
import { samplePdus } from './fixtures.js';
import { mutated } from './arbitraries.js';

const RUNS = Number(process.env.CODEC_FUZZ_RUNS ?? 1500);

function typedOnly(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof CodecDecodeError)) throw e;
    assert.ok(Number.isInteger(e.offset) && e.offset >= 0, 'offset is set');
    assert.ok(typeof e.reason === 'string');
  }
}

/**
 * Decode; if it succeeds without warnings, the PDU must re-encode and decode again to the same
 * values. After a lenient decode (warnings), re-encoding may only fail with typed errors.
 */
function decodeProperty(bytes: Uint8Array, opts?: { maxParts?: number }): void {
  let pdu: MmsPdu;
  const t0 = performance.now();
  try {
    pdu = decodePdu(bytes, opts);
  } catch (e) {
    if (!(e instanceof MmsDecodeError)) throw e;
    return;
  }
  assert.ok(performance.now() - t0 < 1000, 'decode took over a second');
  if (pdu.warnings === undefined) {
    let bytes: Uint8Array;
    try {
      bytes = encodePdu(pdu, { lenient: true });
    } catch (e) {
      // Text in a charset we read but cannot write (ISO-2022-KR/-JP-2, UTF-7 beyond ASCII) is refused, typed.
      if (e instanceof MmsEncodeError && e.cause instanceof WspEncodeError && /charset|not in /.test(e.message)) return;
      throw e;
    }
    const again = decodePdu(bytes);
    assert.equal(again.messageType, pdu.messageType);
    assert.equal(again.warnings, undefined);
    return;
  }
  try {
    decodePdu(encodePdu(pdu, { lenient: true }));
  } catch (e) {
    if (!(e instanceof MmsEncodeError) && !(e instanceof MmsDecodeError)) throw e;
  }
}

const seeds: Buffer[] = [
  readCorpus('peer-encoders/bench-retrieve-conf.mms').subarray(0, 4000),
  readCorpus('mmsd/unit/rc-mms-1-3-con-211.mms'),
  readCorpus('mmsd/embedded/mms_m_notify_ind_1.mms'),
  readCorpus('sailfishos-mms-engine/test_mms_codec/data/m-delivery_2.ind'),
  readCorpus('python-messaging/mms-data/27d0a048cd79555de05283a22372b0eb.mms'),
  ...samplePdus().map((p) => encodePdu(p).subarray(0, 3000)),
];

const mutations = mutated(seeds, true);

describe('fuzz', () => {
  test('random bytes: only MmsDecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => decodeProperty(b)), { numRuns: RUNS });
  });
  test('random bytes after a valid MMS start', () => {
    const start = fc.tuple(fc.integer({ min: 0x80, max: 0x97 }), fc.uint8Array({ maxLength: 600 }));
    fc.assert(fc.property(start, ([t, rest]) => decodeProperty(Buffer.concat([Buffer.from([0x8c, t]), rest]))), { numRuns: RUNS });
  });
  test('mutated corpus and encoder PDUs', () => {
    fc.assert(fc.property(mutations, (b) => decodeProperty(b)), { numRuns: RUNS * 2 });
  });
  test('mutated PDUs under tight limits', () => {
    fc.assert(fc.property(mutations, (b) => decodeProperty(b, { maxParts: 2 })), { numRuns: RUNS });
  });
  test('WAP push, UDH and TPDU decoders', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        typedOnly(() => decodeWapPush(b));
        typedOnly(() => decodeWapPush(Buffer.concat([Buffer.from([1, 6]), b])));
        typedOnly(() => parseUdh(b));
        typedOnly(() => decodeSmsTpdu(b));
        typedOnly(() => decodeSmsTpdu(b, { withSmsc: true }));
      }),
      { numRuns: RUNS },
    );
  });
  test('huge announced lengths and counts do not allocate', () => {
    const before = process.memoryUsage().heapUsed;
    // multipart announcing 2^32-1 entries; value-length of 2^32-1; long uintvars
    const cases = [
      Buffer.from('8c84988d928433' + '8fffffff7f', 'hex'),
      Buffer.from('8c84988d9284a3' + '8fffffff7f00', 'hex'),
      Buffer.from('8c8298410096' + '1f8fffffff7f', 'hex'),
      Buffer.from('8c84984100848033' + '01' + '8fffffff7f' + '8fffffff7f', 'hex'),
    ];
    for (let i = 0; i < 2000; i++) for (const c of cases) typedOnly(() => decodePdu(c));
    assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024);
  });
});
