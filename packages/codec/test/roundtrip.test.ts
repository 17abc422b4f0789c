/** decode -> encode -> decode keeps every value: constructed PDUs of every type, and the whole corpus. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodePdu, encodePdu, MESSAGE_TYPE, type MmsPdu } from '../src/index.js';
import { corpusPduFiles, readCorpus } from './helpers.js';
import { samplePdus } from './fixtures.js';

/** Compare two PDUs by value; bodies by content; warnings are not values. */
function norm(p: MmsPdu): unknown {
  const { warnings: _w, ...rest } = p;
  return JSON.parse(
    JSON.stringify(rest, (_k, v: unknown) => {
      if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer') return Buffer.from((v as { data: number[] }).data).toString('hex');
      return v;
    }),
  );
}

describe('every PDU type round-trips', () => {
  const pdus = samplePdus();
  test('covers all 24 message types', () => {
    assert.deepEqual(new Set(pdus.map((p) => p.messageType)), new Set(Object.keys(MESSAGE_TYPE)));
  });
  for (const pdu of pdus) {
    test(pdu.messageType, () => {
      const bytes = encodePdu(pdu);
      assert.equal(bytes[0], 0x8c);
      assert.equal(bytes[1], MESSAGE_TYPE[pdu.messageType]);
      const back = decodePdu(bytes, { strict: true });
      assert.equal(back.warnings, undefined);
      assert.deepEqual(norm(back), norm(pdu));
      // and again: encoding is stable
      assert.deepEqual(encodePdu(back), bytes);
    });
  }
});

describe('corpus PDUs: decode -> encode -> decode keeps every value', () => {
  for (const f of corpusPduFiles()) {
    test(f, () => {
      const first = decodePdu(readCorpus(f));
      const bytes = encodePdu(first, { lenient: first.warnings !== undefined });
      const second = decodePdu(bytes);
      assert.deepEqual(norm(second), norm(first));
    });
  }
});

describe('unknown headers survive a round trip', () => {
  test('well-known code and textual header', () => {
    const pdu: MmsPdu = {
      messageType: 'm-acknowledge-ind',
      transactionId: 't1',
      mmsVersion: '1.3',
      unknownHeaders: [
        { code: 0x7a, raw: Buffer.from([0x83]) },
        { name: 'X-Custom-Header', value: 'hello' },
        { code: 0x70, raw: Buffer.from([0x03, 0x01, 0x02, 0x03]) },
        { code: 0x71, raw: Buffer.from('text value\0') },
      ],
    };
    const back = decodePdu(encodePdu(pdu));
    assert.deepEqual(norm(back), norm(pdu));
  });
  test('a known header with a malformed value is kept raw (lenient) or rejected (strict)', () => {
    // X-Mms-Delivery-Report with value 0x90 (neither Yes nor No)
    const bytes = Buffer.from([0x8c, 0x85, 0x98, 0x41, 0x00, 0x8d, 0x92, 0x86, 0x90]);
    const p = decodePdu(bytes);
    assert.deepEqual(p.unknownHeaders, [{ code: 0x06, raw: Buffer.from([0x90]) }]);
    assert.ok(p.warnings?.[0]?.message.includes('X-Mms-Delivery-Report'));
    assert.deepEqual(encodePdu(p, { lenient: true }), bytes);
    assert.throws(() => decodePdu(bytes, { strict: true }), { name: 'MmsDecodeError', reason: 'invalid-value' });
  });
});
