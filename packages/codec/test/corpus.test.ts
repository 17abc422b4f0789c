/**
 * Every PDU of the corpus (conformance/corpus) decodes (or is rejected where its expected file says so), and every
 * asserted value of its expected.json matches.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodePdu,
  encodePdu,
  MmsDecodeError,
  partContent,
  partText,
  type EncodedAddress,
  type MmsPdu,
  type WspPart,
} from '../src/index.js';
import { CORPUS, corpusPduFiles, corpusSources, expectedFor, hex, readCorpus, sha256 } from './helpers.js';

type Json = Record<string, unknown>;

/** The corpora record Content-IDs and `start` as on the wire (`<id>`); the model keeps them bare. */
const bare = (v: unknown): unknown => (typeof v === 'string' ? v.replace(/^<(.*)>$/s, '$1') : v);
const bareStart = (params: Json): Json => {
  const out = { ...params };
  for (const k of Object.keys(out)) if (k.toLowerCase() === 'start') out[k] = bare(out[k]);
  return out;
};

function addr(a: EncodedAddress | undefined): string | undefined {
  if (!a) return undefined;
  return a.type !== undefined ? `${a.address}/TYPE=${a.type}` : a.address;
}

function parts(p: MmsPdu): WspPart[] {
  return p.body?.parts ?? [];
}

function lowerKeys(o: Record<string, unknown> | undefined): Record<string, string> {
  const r: Record<string, string> = {};
  for (const [k, v] of Object.entries(o ?? {})) r[k.toLowerCase()] = String(v);
  return r;
}

describe('corpus: every MMS PDU decodes', () => {
  const files = corpusPduFiles();
  test('the corpus is where the tests expect it', () => {
    assert.ok(files.length > 100, `found ${files.length} PDUs under ${CORPUS}`);
  });
  for (const f of files) {
    test(f, () => {
      const buf = readCorpus(f);
      const pdu = decodePdu(buf);
      const src = corpusSources().find((s) => s.file === f);
      if (src?.pdu_type && src.pdu_type.startsWith('m-')) assert.equal(pdu.messageType, src.pdu_type);
      // Bodies are views of the input, never copies.
      for (const part of parts(pdu)) assert.equal(part.data.buffer, buf.buffer);
    });
  }
});

describe('corpus: garbage is rejected with a typed error', () => {
  const garbage = corpusSources().filter((s) => /garbage|UnparsableResp\/m-send\.conf/.test(s.file));
  test('found the negative samples', () => assert.ok(garbage.length >= 3));
  for (const s of garbage) {
    test(s.file, () => {
      assert.throws(
        () => decodePdu(readCorpus(s.file)),
        (e: unknown) => e instanceof MmsDecodeError && e.reason === 'not-mms' && typeof e.offset === 'number',
      );
    });
  }
});

/** python-messaging's asserted headers that equal one field of our model as they are. */
const SAME_VALUE: Readonly<Record<string, string>> = {
  'Message-Type': 'messageType',
  'Transaction-Id': 'transactionId',
  'MMS-Version': 'mmsVersion',
  'Delivery-Report': 'deliveryReport',
  'Read-Reply': 'readReport',
};

describe('corpus: python-messaging asserted values', () => {
  const files = corpusSources().filter((s) => s.file.startsWith('python-messaging/mms-data/'));
  for (const s of files) {
    const exp = expectedFor(s.file);
    if (!exp) continue;
    test(s.file, () => {
      const pdu = decodePdu(readCorpus(s.file));
      const a = exp.asserted as Json;
      const h = a.headers as Json;
      const defaults = new Set((exp.library_defaults_not_in_pdu as string[] | undefined) ?? []);
      const p = pdu as Json & MmsPdu;
      for (const [k, v] of Object.entries(h)) {
        if (defaults.has(k)) {
          // python-messaging fills these in itself; they are not in the PDU and we must not invent them.
          assert.equal(p.transactionId, undefined, `${k} is a library default`);
          continue;
        }
        const same = SAME_VALUE[k];
        if (same !== undefined) {
          assert.equal(p[same], v, k);
          continue;
        }
        switch (k) {
          case 'From': {
            const from = (pdu as { from?: { insertAddress?: boolean } & EncodedAddress }).from;
            if (v === '<not inserted>') assert.equal(from?.insertAddress, true);
            else assert.equal(addr(from), v);
            break;
          }
          case 'To':
            assert.equal(((pdu as { to?: EncodedAddress[] }).to ?? []).map(addr).join(', '), v);
            break;
          case 'Subject':
            assert.equal((pdu as { subject?: { text: string } }).subject?.text, v);
            break;
          case 'Message-Class':
          case 'Priority':
          case 'Sender-Visibility': {
            const key = k === 'Message-Class' ? 'messageClass' : k === 'Priority' ? 'priority' : 'senderVisibility';
            assert.equal(String(p[key]), String(v).toLowerCase());
            break;
          }
          case 'Date':
            assert.equal((p.date as Date).toISOString().replace('.000Z', 'Z'), v);
            break;
          case 'Content-Type': {
            const [type, params] = v as [string, Json];
            assert.equal(pdu.body?.contentType.type, type);
            assert.deepEqual(lowerKeys(pdu.body?.contentType.params), lowerKeys(bareStart(params)));
            break;
          }
          default:
            assert.fail(`unmapped header ${k}`);
        }
      }
      assert.equal(pdu.body?.contentType.type, a.content_type);
      assert.equal(parts(pdu).length, a.part_count);
      for (const ep of a.parts as Json[]) {
        const part = parts(pdu)[ep.index as number]!;
        if (ep.content_type !== undefined) assert.equal(part.contentType.type, ep.content_type);
        if (ep.content_type_parameters !== undefined) {
          const got = lowerKeys(part.contentType.params);
          for (const [pk, pv] of Object.entries(lowerKeys(ep.content_type_parameters as Json))) assert.equal(got[pk], pv, pk);
        }
        if (ep.data_len !== undefined) assert.equal(part.data.length, ep.data_len);
        if (ep.data_sha256 !== undefined) assert.equal(sha256(part.data), ep.data_sha256);
        if (ep.data_hex !== undefined) assert.equal(hex(part.data), ep.data_hex);
        if (ep.data_utf8 !== undefined) assert.equal(partText(part), ep.data_utf8);
      }
    });
  }
});

/** mmsd documents (not asserts) its decode; we check those values, with the bytes winning where noted. */
describe('corpus: mmsd documented values', () => {
  const files = corpusSources().filter((s) => s.file.startsWith('mmsd/') && s.kind === 'mms-pdu');
  for (const s of files) {
    const exp = expectedFor(s.file);
    const doc = exp?.documented_decode as Record<string, unknown> | undefined;
    if (!doc) continue;
    test(s.file, () => {
      const buf = readCorpus(s.file);
      const pdu = decodePdu(buf);
      const p = pdu as unknown as Json;
      const fixes = new Map<string, string>();
      for (const d of (exp!.discrepancies_vs_pdu_bytes as Json[] | undefined) ?? []) {
        // tshark cannot render charset-tagged UTF-8: there the upstream value is right.
        if (!String(d.explanation).includes('upstream value is the correct')) fixes.set(String(d.field), String(d['tshark_4.0.17']));
      }
      const val = (k: string): string | undefined => {
        const v = fixes.get(k) ?? (doc[k] as string);
        return v === '(null)' ? undefined : v;
      };
      if (exp!.file_size_matches_documented === true) assert.equal(buf.length, Number(doc['Overall message size']));
      assert.equal(pdu.messageType, 'm-' + String(doc['MMS message type']));
      assert.equal(p.transactionId, val('MMS transaction id'));
      assert.equal(p.mmsVersion, val('MMS version'));
      if ('From' in doc) assert.equal(addr(p.from as EncodedAddress | undefined), val('From'));
      if ('To' in doc) assert.equal(((p.to as EncodedAddress[] | undefined) ?? []).map(addr).join(',') || undefined, val('To'));
      if ('Subject' in doc) assert.equal((p.subject as { text: string } | undefined)?.text, val('Subject'));
      if ('Class' in doc) assert.equal(p.messageClass === undefined ? undefined : String(p.messageClass).toLowerCase(), val('Class')?.toLowerCase());
      if ('Priority' in doc) assert.equal(p.priority, val('Priority')?.toLowerCase());
      if ('Msg-Id' in doc) assert.equal(p.messageId, val('Msg-Id'));
      if ('Size' in doc) assert.equal(p.messageSize, Number(val('Size')));
      if ('Location' in doc) assert.equal(p.contentLocation, val('Location'));
      if ('Response-Status' in doc) assert.equal(p.responseStatus, val('Response-Status'));
      for (const k of ['Date', 'Expiry']) {
        const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)([+-]\d\d)(\d\d)$/.exec(String(doc[k] ?? ''));
        if (!m) continue; // absent, or mangled by the upstream printf
        const want = new Date(`${m[1]}${m[2]}:${m[3]}`).getTime();
        if (k === 'Expiry' && 'relativeSeconds' in (p.expiry as object)) continue; // printed relative to run time
        const got = k === 'Date' ? (p.date as Date) : ((p.expiry as { absolute: Date }).absolute);
        assert.equal(got.getTime(), want, k);
      }
      const att = doc.attachments as Json[] | undefined;
      if (att) {
        assert.equal(parts(pdu).length, att.length);
        att.forEach((a, i) => {
          const part = parts(pdu)[i]!;
          assert.equal(part.data.byteOffset - buf.byteOffset, Number(a.Offset));
          assert.equal(part.data.length, Number(a.Length));
          const ct = part.contentType;
          const params = Object.entries(ct.params ?? {}).map(([k, v]) => `;${k}=${v}`).join('');
          assert.equal(ct.type + params, a['Content-type']);
          assert.equal(part.headers.contentId, bare(a['Content-id']));
        });
      }
    });
  }
});

describe('corpus: Sailfish mms-engine asserted values', () => {
  const files = corpusSources().filter((s) => s.file.startsWith('sailfishos-mms-engine/') && s.kind === 'mms-pdu');
  for (const s of files) {
    const exp = expectedFor(s.file);
    const a = exp?.asserted as Json | undefined;
    if (!a) continue;
    test(s.file, () => {
      const pdu = decodePdu(readCorpus(s.file));
      const p = pdu as unknown as Json;
      if (a.decodes_as !== undefined) assert.equal(pdu.messageType, a.decodes_as);
      if (a.mms_message_decode !== undefined) assert.equal(a.mms_message_decode, true);
      if (typeof a.message_id === 'string') assert.equal(p.messageId, a.message_id);
      if (typeof a.delivery_status === 'string') {
        assert.equal(pdu.messageType, 'm-delivery-ind');
        const want = String(a.delivery_status).replace('MMS_DELIVERY_STATUS_', '').toLowerCase();
        if (want !== 'invalid') assert.equal(p.status, want);
      }
      if (typeof a.read_status === 'string') {
        assert.equal(pdu.messageType, 'm-read-orig-ind');
        const want = String(a.read_status).replace('MMS_READ_STATUS_', '').toLowerCase();
        if (want === 'read') assert.equal(p.readStatus, 'read');
        if (want === 'deleted') assert.equal(p.readStatus, 'deleted-without-being-read');
      }
      if (typeof a.send_state === 'string') {
        const ok = a.send_state.startsWith('MMS_SEND_STATE_SENDING');
        if (String(a.note ?? '').includes('unexpected type')) assert.notEqual(pdu.messageType, 'm-send-conf');
        else {
          assert.equal(pdu.messageType, 'm-send-conf');
          if (ok) assert.equal(p.responseStatus, 'ok');
          else if (a.send_state === 'MMS_SEND_STATE_REFUSED') assert.equal(p.responseStatus, 'error-permanent-service-denied');
          else if (String(a.note ?? '').includes('empty Message-ID')) {
            assert.equal(p.responseStatus, 'ok');
            assert.ok(!p.messageId);
          } else assert.notEqual(p.responseStatus, 'ok');
        }
      }
      if (typeof a['details (Response-Text)'] === 'string') {
        assert.equal((p.responseText as { text: string }).text, a['details (Response-Text)']);
      }
      if (typeof a.part_count === 'number') assert.equal(parts(pdu).length, a.part_count);
      if (a.receive_state === 'MMS_RECEIVE_STATE_DOWNLOAD_ERROR') {
        assert.ok(typeof p.retrieveStatus === 'string' && p.retrieveStatus !== 'ok');
      }
      for (const ep of (a.parts as Json[] | undefined) ?? []) {
        const part = parts(pdu)[ep.index as number]!;
        const [type, cs] = String(ep.content_type_with_charset_as_reported).split(';charset=');
        assert.equal(part.contentType.type, type);
        if (ep['pdu_has_content_id_header (per tshark)'] === true) assert.equal(part.headers.contentId, bare(ep.content_id));
        else assert.equal(part.headers.contentId, undefined);
        // Reported bodies are after transfer decoding, and text converted to UTF-8.
        const isText = type!.startsWith('text/') || cs !== undefined;
        const body = isText && cs ? Buffer.from(partText(part), 'utf8') : partContent(part);
        assert.equal(body.length, ep.decoded_body_len);
        assert.equal(sha256(body), ep.decoded_body_sha256);
        const onDisk = readFileSync(join(CORPUS, s.file, '..', String(ep.decoded_body_file)));
        assert.deepEqual(Buffer.from(body), onDisk);
      }
    });
  }
});

describe('corpus: our own samples of deviations seen in the field (non-conformant header order decoded leniently)', () => {
  const files = corpusSources().filter((s) => s.file.startsWith('openmmsc/pdus/'));
  test('found them', () => assert.equal(files.length, 5));
  for (const s of files) {
    const exp = expectedFor(s.file)!;
    const a = exp.asserted as Json;
    test(s.file, () => {
      const pdu = decodePdu(readCorpus(s.file));
      const p = pdu as unknown as Json;
      assert.equal(pdu.messageType, String(a.message_type).split(' ')[0]);
      if (a.TransactionID !== undefined) assert.equal(p.transactionId, a.TransactionID);
      if (a['Message-ID'] !== undefined) assert.equal(p.messageId, a['Message-ID']);
      if (a.From !== undefined) assert.equal(addr(p.from as EncodedAddress), a.From);
      if (a['Content-Location'] === 'non-empty') assert.ok(String(p.contentLocation).length > 0);
      if (a.part_count !== undefined) assert.equal(parts(pdu).length, a.part_count);
      if (a['parts[0].content_type'] !== undefined) assert.equal(parts(pdu)[0]!.contentType.type, a['parts[0].content_type']);
      if (a['parts[0].params.charset'] !== undefined) assert.equal(parts(pdu)[0]!.contentType.params?.charset, a['parts[0].params.charset']);
      if (a['parts[1].content_type'] !== undefined) assert.equal(parts(pdu)[1]!.contentType.type, a['parts[1].content_type']);
      if (exp.conformance_warning) {
        // Lenient by default (with a warning); strict mode rejects it.
        assert.ok(pdu.warnings?.some((w) => w.message.includes('not the first header')));
        assert.throws(() => decodePdu(readCorpus(s.file), { strict: true }), (e: unknown) => e instanceof MmsDecodeError && e.reason === 'non-conformant');
      }
    });
  }
});

describe('corpus: the same message from five encoders', () => {
  const dir = join(CORPUS, 'peer-encoders');
  const smil = readFileSync(join(dir, 'smil.xml'));
  const image = readFileSync(join(dir, 'image.jpg'));
  const text = readFileSync(join(dir, 'text.txt'));
  for (const f of ['aosp-retrieve-conf', 'aosp-send-req', 'b2g-retrieve-conf', 'b2g-send-req', 'pymessaging-retrieve-conf', 'pymessaging-send-req', 'sailfish-send-req', 'nuntium-send-req', 'bench-retrieve-conf']) {
    test(f, () => {
      const pdu = decodePdu(readFileSync(join(dir, f + '.mms')));
      assert.equal(pdu.messageType, f.endsWith('send-req') ? 'm-send-req' : 'm-retrieve-conf');
      const ps = parts(pdu);
      assert.equal(ps.length, 3);
      const byType = (t: string): WspPart => ps.find((x) => x.contentType.type === t)!;
      const smilPart = Buffer.from(byType('application/smil').data);
      // python-messaging writes a SMIL of its own making; the others carry smil.xml as given.
      if (f.startsWith('pymessaging')) assert.match(smilPart.toString('utf8'), /^<smil>/);
      else assert.deepEqual(smilPart, smil);
      assert.deepEqual(Buffer.from(byType('image/jpeg').data), image);
      assert.deepEqual(Buffer.from(byType('text/plain').data), text);
      const p = pdu as unknown as Json;
      // nuntium writes no Subject; python-messaging and Sailfish no Date (what tshark shows too).
      if (f.startsWith('nuntium')) assert.equal(p.subject, undefined);
      else assert.equal((p.subject as { text: string }).text, 'Peer benchmark');
      assert.deepEqual((p.to as EncodedAddress[]).map(addr), ['+15550000002/TYPE=PLMN']);
      if (f.startsWith('pymessaging') || f.startsWith('sailfish')) {
        // python-messaging cannot write Date: reported, not invented, not fatal.
        assert.equal(p.date, undefined);
        if (f.endsWith('retrieve-conf')) assert.ok(pdu.warnings?.some((w) => w.message.includes('Date')));
      } else assert.equal((p.date as Date).getTime(), 1700000000 * 1000);
      if (f.endsWith('retrieve-conf')) assert.equal(addr(p.from as EncodedAddress), '+15550000001/TYPE=PLMN');
    });
  }
});

describe('corpus: encoder vectors reproduced byte for byte', () => {
  /** The encoder writes `pdu` as the vector: the hex its expectations assert, and the vector's own bytes. */
  function assertEncodesVector(vector: string, pdu: Parameters<typeof encodePdu>[0]): void {
    const exp = expectedFor(vector)!;
    const out = encodePdu(pdu);
    assert.equal(hex(out), (exp.asserted as Json).encoded_hex);
    assert.deepEqual(out, readCorpus(vector));
  }
  test('mmsd m-notifyresp-ind', () => {
    assertEncodesVector('mmsd/encode-vectors/mms_m_notifyresp_ind_test_1.bin', { messageType: 'm-notifyresp-ind', transactionId: '0123456789abcdef', mmsVersion: '1.2', status: 'retrieved' });
  });
  test('mmsd m-send-req', () => {
    // mmsd writes From as the insert-address token and, with no attachments, a bare content type.
    assertEncodesVector('mmsd/encode-vectors/mms_m_send_req_test_1.bin', {
      messageType: 'm-send-req',
      transactionId: '0123456789abcdef_sr1',
      mmsVersion: '1.2',
      from: { address: '', insertAddress: true },
      to: [{ address: '0123456789' }],
      deliveryReport: true,
      body: { contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} }, data: new Uint8Array(0) },
    });
  });
  test('python-messaging m-notifyresp-ind (the 45 octets the spec defines)', () => {
    const exp = expectedFor('python-messaging/encode-vectors/m-notifyresp-ind.first50.bin')!;
    const out = encodePdu({
      messageType: 'm-notifyresp-ind',
      transactionId: 'NOK5AIdhfTMYSG4JeIgAAsHtp72AGAAAAAAAA',
      mmsVersion: '1.0',
      status: 'retrieved',
    });
    const want = String((exp.asserted as Json).encoded_first_50_bytes_hex);
    // Octets 46..50 are python-messaging's own default Content-Type and body (not part of m-notifyresp-ind).
    assert.equal(hex(out), want.slice(0, 90));
    assert.equal(out.length, 45);
    // The vector is the first 50 octets of a longer PDU: its multipart body is cut inside the first
    // entry's data length, so it is truncated; salvaging reads the notifyresp's headers.
    const cut = readCorpus('python-messaging/encode-vectors/m-notifyresp-ind.first50.bin');
    assert.throws(() => decodePdu(cut), { name: 'MmsDecodeError', reason: 'truncated', offset: 49 });
    const pdu = decodePdu(cut, { salvage: true });
    assert.equal(pdu.messageType, 'm-notifyresp-ind');
    assert.equal((pdu as { status?: string }).status, 'retrieved');
    assert.equal(pdu.warnings?.[0]?.reason, 'truncated');
  });
});
