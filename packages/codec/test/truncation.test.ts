/**
 * Structurally incomplete content is refused whatever `strict` says (issue 13): parts, lengths and
 * counts that run past the end of the data, uintvars that never end or overflow, bodies cut short.
 * `salvage: true` turns those into warnings and returns what could be read. Every input here is
 * built from raw octets, not by our encoder; Wireshark is asked for its own verdict on the cut PDU.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodePdu, encodePdu, MmsDecodeError, MmsEncodeError, type WspPart, type MmsPdu } from '../src/index.js';
import { requireSystem } from '@openmmsc/testkit/system';
import { tsharkVerdicts } from './tshark-pcap.js';
import { hex as h, textz as t, uintvar as uv } from '@openmmsc/testkit/bytes';

const SMIL = Buffer.from('<smil><body><par dur="5000ms"><img src="cid:img"/></par></body></smil>');
const JPEG = Buffer.concat([h('ffd8ffe0'), Buffer.alloc(2060 - 6, 0x41), h('ffd9')]);

/** A handset's m-send-req: SMIL + a JPEG whose part header declares 2,060 octets. */
function sendReq(): { pdu: Buffer; ctAt: number; bodyAt: number; jpegEntryAt: number; jpegAt: number } {
  const headers = Buffer.concat([
    h('8c 80'), // X-Mms-Message-Type: m-send-req
    h('98'), t('T1'), // X-Mms-Transaction-Id
    h('8d 92'), // X-Mms-MMS-Version: 1.2
    h('89 01 81'), // From: insert-address token
    h('97'), t('+15550001/TYPE=PLMN'), // To
  ]);
  // Content-Type: multipart/related; type=application/smil; start=<smil>
  const ct = Buffer.concat([h('b3 89'), t('application/smil'), h('8a'), t('<smil>')]);
  const e1h = Buffer.concat([t('application/smil'), h('c0 22'), t('<smil>')]); // + Content-ID
  const e2h = Buffer.concat([h('9e c0 22'), t('<img>')]); // image/jpeg + Content-ID
  const e1 = Buffer.concat([uv(e1h.length), uv(SMIL.length), e1h, SMIL]);
  const head = Buffer.concat([headers, h('84'), uv(ct.length), ct]);
  const jpegEntryAt = head.length + 1 + e1.length;
  const e2 = Buffer.concat([uv(e2h.length), uv(JPEG.length), e2h]);
  const pdu = Buffer.concat([head, h('02'), e1, e2, JPEG]);
  return { pdu, ctAt: headers.length, bodyAt: head.length, jpegEntryAt, jpegAt: jpegEntryAt + e2.length };
}

const MODES = [{}, { strict: true }, { strict: false }] as const;

function refused(bytes: Uint8Array, reason: string, offset?: number, detail?: RegExp): void {
  for (const mode of MODES) {
    assert.throws(
      () => decodePdu(bytes, mode),
      (e: unknown) => {
        assert.ok(e instanceof MmsDecodeError, `${JSON.stringify(mode)}: ${String(e)}`);
        assert.equal(e.reason, reason, `${JSON.stringify(mode)}: ${e.message}`);
        if (offset !== undefined) assert.equal(e.offset, offset, e.message);
        if (detail) assert.match(e.message, detail);
        assert.equal(e.structural, true);
        return true;
      },
    );
  }
}

describe('truncated uploads are refused (strict or not)', () => {
  const { pdu, jpegEntryAt, jpegAt, ctAt, bodyAt } = sendReq();

  test('the complete PDU decodes without warnings', () => {
    const p = decodePdu(pdu, { strict: true });
    assert.equal(p.warnings, undefined);
    assert.deepEqual(p.body?.parts?.map((x) => [x.contentType.type, x.data.length]), [['application/smil', SMIL.length], ['image/jpeg', 2060]]);
  });

  test('the first 300 octets (cut inside the 2,060-octet JPEG): truncated, at the JPEG entry', () => {
    assert.ok(jpegAt < 300 && 300 < jpegAt + 2060);
    refused(pdu.subarray(0, 300), 'truncated', jpegEntryAt, /part 1 data runs past the end: 2060 octets announced, \d+ present/);
  });

  test('salvage returns the parts before the cut and the cut JPEG, with a truncated warning', () => {
    const p = decodePdu(pdu.subarray(0, 300), { salvage: true });
    const parts = p.body?.parts ?? [];
    assert.equal(parts.length, 2);
    assert.deepEqual(Buffer.from(parts[0]!.data), SMIL);
    assert.deepEqual(Buffer.from(parts[1]!.data), JPEG.subarray(0, 300 - jpegAt));
    assert.deepEqual(p.warnings?.map((w) => [w.offset, w.reason]), [[jpegEntryAt, 'truncated']]);
  });

  test('Wireshark also finds the cut PDU malformed, and the complete one not', { skip: requireSystem('tshark') }, () => {
    const [full, cut] = tsharkVerdicts([pdu, pdu.subarray(0, 300)]);
    assert.deepEqual(full, { messageType: '0x80', malformed: false });
    assert.deepEqual(cut, { messageType: '0x80', malformed: true });
  });

  test('no proper prefix decodes cleanly; every cut inside the body is truncated', () => {
    let refusedCount = 0;
    for (let n = 2; n < pdu.length; n++) {
      const cut = pdu.subarray(0, n);
      let p: MmsPdu;
      try {
        p = decodePdu(cut);
      } catch (e) {
        assert.ok(e instanceof MmsDecodeError && e.reason === 'truncated', `cut at ${n}: ${String(e)}`);
        assert.ok(e.offset <= n, `cut at ${n}: offset ${e.offset}`);
        refusedCount++;
        continue;
      }
      // Only a cut between two header fields leaves a well-formed PDU: bodiless before Content-Type,
      // or with an empty multipart body just after it. Both are deviations, reported as warnings.
      assert.ok(n <= ctAt || n === bodyAt, `cut at ${n}, inside the body, decoded`);
      assert.match(p.warnings?.at(-1)?.message ?? '', n === bodyAt ? /multipart body is empty/ : /lacks mandatory .*Content-Type/, `cut at ${n}`);
      assert.throws(() => decodePdu(cut, { strict: true }), { reason: 'non-conformant' });
    }
    assert.ok(refusedCount > pdu.length - 10, `${refusedCount} of ${pdu.length - 2} cuts refused`);
  });
});

describe('each kind of structural incompleteness', () => {
  // m-retrieve-conf head: type, version 1.3, Date = 0 (Long-integer 1 octet), then Content-Type
  const head = (ct: string): Buffer => h(`8c 84 8d 93 85 01 00 84 ${ct}`);
  const mixed = (body: Buffer): Buffer => Buffer.concat([head('a3'), body]); // multipart/mixed

  test('multipart entry count larger than the entries present', () => {
    const entry = Buffer.concat([h('01 02 83'), Buffer.from('hi')]); // text/plain, "hi"
    refused(mixed(Buffer.concat([h('03'), entry])), 'truncated', 15, /announces 3 entries, the data ends after 1/);
  });
  test('part header length past the end', () => {
    refused(mixed(h('01 20 02 83')), 'truncated', 10, /part 0 headers \(32 octets\) run past the end/);
  });
  test('part data length past the end', () => {
    refused(mixed(h('01 01 8100 83 41 42')), 'truncated', 10, /part 0 data runs past the end: 128 octets announced, 2 present/);
  });
  test('uintvar longer than 5 octets (it never ends)', () => {
    refused(mixed(h('81 80 80 80 80 80 01')), 'invalid-uintvar', 9, /longer than 5 octets/);
  });
  test('uintvar above 2^32-1', () => {
    refused(mixed(h('9f ff ff ff 7f')), 'invalid-uintvar', 9, /exceeds 32 bits/);
    // 2^32-1 itself is a valid uintvar (and far more entries than the limit)
    assert.throws(() => decodePdu(mixed(h('8f ff ff ff 7f'))), { reason: 'limit-exceeded', offset: 9 });
  });
  test('uintvar cut by the end of the data', () => {
    refused(mixed(h('01 81')), 'truncated', 10, /uintvar cut short/);
  });
  test('value-length past the end (Subject announcing 64 octets)', () => {
    refused(Buffer.concat([h('8c 84 8d 93 85 01 00 96 1f 40 ea'), Buffer.from('Caf')]), 'truncated', 8, /value-length 64 runs past the end/);
  });
  test('text-string cut before its NUL', () => {
    refused(Buffer.concat([h('8c 84 8d 93 98'), Buffer.from('T-0001')]), 'truncated', 5, /NUL terminator/);
  });
  test('Content-Type value cut short', () => {
    refused(Buffer.concat([head('1b b3 89'), Buffer.from('application/sm')]), 'truncated', 8);
  });
  test('salvage turns each into warnings carrying the reason', () => {
    const p = decodePdu(mixed(h('01 01 8100 83 41 42')), { salvage: true });
    assert.equal(p.body?.parts?.[0]?.data.length, 2);
    assert.equal(p.warnings?.[0]?.reason, 'truncated');
    const q = decodePdu(mixed(h('9f ff ff ff 7f')), { salvage: true });
    assert.deepEqual(q.body?.parts, []);
    assert.equal(q.warnings?.[0]?.reason, 'invalid-uintvar');
    // a cut inside the header fields keeps the fields before it
    const r = decodePdu(Buffer.concat([h('8c 84 8d 93 98'), t('T-1'), h('96 1f 40 ea'), Buffer.from('Caf')]), { salvage: true });
    assert.equal((r as { transactionId?: string }).transactionId, 'T-1');
    assert.deepEqual(r.warnings?.map((w) => w.reason), ['truncated', undefined]);
    assert.match(r.warnings?.[1]?.message ?? '', /lacks mandatory Date, Content-Type/);
  });
});

describe('what stays lenient', () => {
  const head = h('8c 84 8d 93 85 01 00 84');
  test('a MIME body under a WSP multipart content type is kept as data, with a warning', () => {
    const mime = Buffer.from('--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n');
    const p = decodePdu(Buffer.concat([head, h('a3'), mime]));
    assert.deepEqual(Buffer.from(p.body!.data!), mime);
    assert.match(p.warnings?.[0]?.message ?? '', /not a WSP multipart/);
  });
  test('a nested multipart inconsistent inside its complete entry is kept as data, with a warning', () => {
    const inner = h('05 01 02 83 41'); // announces 5 entries, has one
    const entry = Buffer.concat([h('01'), uv(inner.length), h('a3'), inner]); // multipart/mixed entry
    const p = decodePdu(Buffer.concat([head, h('a3 01'), entry]));
    assert.deepEqual(Buffer.from(p.body!.parts![0]!.data), inner);
    assert.equal(p.body!.parts![0]!.parts, undefined);
    assert.match(p.warnings?.[0]?.message ?? '', /nested application\/vnd\.wap\.multipart\.mixed is not a WSP multipart \(length-mismatch\)/);
  });
});

describe('deep nesting: typed errors, never a stack overflow', () => {
  /** `depth` multipart/mixed entries nested in each other around a text part, built from raw octets. */
  function nested(depth: number): Buffer {
    const inner = Buffer.concat([h('01 01 01 83'), Buffer.from('x')]);
    // Each level wraps the one inside in an entry: count 1, header length 1, data length, multipart/mixed.
    const heads: Buffer[] = [];
    let length = inner.length;
    for (let d = 0; d < depth; d++) {
      const head = Buffer.concat([h('01 01'), uv(length), h('a3')]);
      heads.push(head);
      length += head.length;
    }
    return Buffer.concat([h('8c 84 8d 93 85 01 00 84 a3'), ...heads.reverse(), inner]);
  }
  test('a large maxDepth gives limit-exceeded, not RangeError', () => {
    for (const depth of [100, 20_000]) {
      const bytes = nested(depth);
      for (const maxDepth of [1000, 1e9, Number.POSITIVE_INFINITY]) {
        const opts = { maxDepth, maxParts: Number.MAX_SAFE_INTEGER };
        assert.throws(() => decodePdu(bytes, opts), (e: unknown) => e instanceof MmsDecodeError && e.reason === 'limit-exceeded' && /nesting deeper than 64/.test(e.message), `depth ${depth}, maxDepth ${maxDepth}`);
      }
    }
  });
  test('nesting within the bound decodes and re-encodes', () => {
    const p = decodePdu(nested(60), { maxDepth: 1e9 });
    assert.equal(p.warnings, undefined);
    assert.deepEqual(encodePdu(p), nested(60));
  });
  test('encoding a deeper model is a typed error', () => {
    let part: WspPart = { contentType: { type: 'text/plain', params: {} }, headers: {}, data: Buffer.from('x') };
    for (let d = 0; d < 20_000; d++) part = { contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} }, headers: {}, data: Buffer.alloc(0), parts: [part] };
    const pdu: MmsPdu = { messageType: 'm-retrieve-conf', mmsVersion: '1.3', date: new Date(0), body: { contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} }, parts: [part] } };
    assert.throws(() => encodePdu(pdu), (e: unknown) => e instanceof MmsEncodeError && /nesting deeper than 64/.test(e.message));
  });
});
