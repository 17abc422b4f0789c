/**
 * The round-trip property (issue 13): every PDU the decoder accepts without warnings re-encodes,
 * and the result decodes, again without warnings, to the same model (deepStrictEqual: every
 * field, Dates, body bytes). Run over the corpus PDUs of at most 4 KB (conformance/corpus), the sample PDU
 * of each type, mutations of both, random bytes behind a valid start, and generated PDU models.
 * A PDU decoded with warnings must still re-encode leniently or fail with a typed error only.
 * CODEC_FUZZ_RUNS=<n> scales the generated cases (default 1500).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { corpusSources, readCorpus } from '@openmmsc/conformance';
import { decodePdu, encodePdu, MmsDecodeError, MmsEncodeError, type WspPart, type MmsPdu } from '../src/index.js';
import { samplePdus } from './fixtures.js';
import { mutated, pduModel } from './arbitraries.js';

const RUNS = Number(process.env.CODEC_FUZZ_RUNS ?? 1500);
const corpus = corpusSources()
  .filter((s) => s.kind === 'mms-pdu' && (s.size ?? Infinity) <= 4096)
  .map((s) => ({ file: s.file, bytes: readCorpus(s.file) }));

/** How many inputs went through the property, and how many of them reached the deepEqual. */
const stats = { cases: 0, rejected: 0, withWarnings: 0, roundTripped: 0 };

function typed(e: unknown): void {
  if (!(e instanceof MmsDecodeError) && !(e instanceof MmsEncodeError)) throw e;
}

/**
 * The model as compared: everything, except the `data` of a nested multipart entry, which is the
 * raw view of that entry's bytes as received. The encoder writes the entry from its `parts` (which
 * are compared), so those raw bytes come back only if the sender wrote every value the way our
 * encoder does (it need not: a redundant quote, a long-form integer).
 */
function comparable(pdu: MmsPdu): MmsPdu {
  const strip = (parts: WspPart[]): WspPart[] =>
    parts.map((p) => (p.parts ? { ...p, data: new Uint8Array(0), parts: strip(p.parts) } : p));
  return pdu.body?.parts ? ({ ...pdu, body: { ...pdu.body, parts: strip(pdu.body.parts) } } as MmsPdu) : pdu;
}

/** The property, for any input bytes. */
export function roundTrips(bytes: Uint8Array): void {
  stats.cases++;
  let pdu: MmsPdu;
  try {
    pdu = decodePdu(bytes);
  } catch (e) {
    if (!(e instanceof MmsDecodeError)) throw e;
    stats.rejected++;
    return;
  }
  if (pdu.warnings !== undefined) {
    stats.withWarnings++;
    try {
      decodePdu(encodePdu(pdu, { lenient: true }));
    } catch (e) {
      typed(e);
    }
    return;
  }
  const again = encodePdu(pdu);
  const back = decodePdu(again);
  assert.deepStrictEqual(comparable(back), comparable(pdu), `re-encoded ${Buffer.from(again).toString('hex')} from ${Buffer.from(bytes).toString('hex')}`);
  stats.roundTripped++;
}

const seeds: Buffer[] = [...corpus.map((c) => c.bytes), ...samplePdus().map((p) => encodePdu(p).subarray(0, 3000))];

const mutations = mutated(seeds);

describe('round-trip property: decode (no warnings) -> encode -> decode gives the same model', () => {
  test(`the ${corpus.length} corpus PDUs of at most 4 KB`, () => {
    assert.ok(corpus.length >= 70);
    for (const c of corpus) roundTrips(c.bytes);
  });
  test('the sample PDU of each of the 24 types', () => {
    for (const p of samplePdus()) roundTrips(encodePdu(p));
  });
  test('mutated corpus and sample PDUs', () => {
    fc.assert(fc.property(mutations, roundTrips), { numRuns: RUNS * 2 });
  });
  test('random bytes behind a valid MMS start', () => {
    const start = fc.tuple(fc.integer({ min: 0x80, max: 0x97 }), fc.uint8Array({ maxLength: 300 }));
    fc.assert(fc.property(start, ([t, rest]) => roundTrips(Buffer.concat([Buffer.from([0x8c, t]), rest]))), { numRuns: RUNS });
  });
  test('generated PDU models of every type', () => {
    fc.assert(
      fc.property(pduModel, (model) => {
        let bytes: Buffer;
        try {
          bytes = encodePdu(model, { lenient: true });
        } catch (e) {
          // A generated value the encoder refuses (text outside its charset, ...): typed, nothing to decode.
          if (!(e instanceof MmsEncodeError)) throw e;
          return;
        }
        roundTrips(bytes);
      }),
      { numRuns: RUNS },
    );
  });
  test('the property was exercised, not skipped', (t) => {
    // The figure to report: every input run through roundTrips(), and what became of it.
    t.diagnostic(
      `round-trip property: ${stats.cases} cases run; ${stats.roundTripped} decoded without warnings and round-tripped, ` +
        `${stats.withWarnings} decoded with warnings (re-encoded leniently), ${stats.rejected} rejected with MmsDecodeError`,
    );
    assert.ok(stats.roundTripped > stats.cases / 4, JSON.stringify(stats));
  });
});
