/**
 * Independent check: Wireshark (tshark 4.0, through @openmmsc/testkit/tshark) dissects what our
 * encoder writes to the same field values. Skipped when tshark is not installed (a failure in CI).
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodePdu,
  encodeSmsDeliver,
  encodeWapPush,
  segmentForSms,
  FIELD,
  MESSAGE_TYPE,
  MESSAGE_CLASS,
  PRIORITY,
  RESPONSE_STATUS,
  RETRIEVE_STATUS,
  READ_STATUS,
  REPLY_CHARGING,
  SENDER_VISIBILITY,
  STATUS,
  MM_STATE,
  STORE_STATUS,
  CONTENT_CLASS,
  CANCEL_STATUS,
  type MmsPdu,
  type EncodedAddress,
  type FromAddress,
  type TimeValue,
  type WspPart,
  type NotificationInd,
} from '../src/index.js';
import { samplePdus } from './fixtures.js';
import { requireSystem } from '@openmmsc/testkit/system';
import { all, dissect, malformed, tsharkDate, type TsharkNode as Node } from '@openmmsc/testkit/tshark';

const skip = requireSystem('tshark');

const hex = (n: number): string => `0x${n.toString(16)}`;
const isAscii = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);
const addr = (a: EncodedAddress): string => (a.type !== undefined ? `${a.address}/TYPE=${a.type}` : a.address);

interface Expected {
  fields: Map<string, string[]>;
  uints: number[];
  strings: string[];
  bytes: number;
}

function push(e: Expected, key: string, v: string): void {
  const l = e.fields.get(key) ?? [];
  l.push(v);
  e.fields.set(key, l);
}

function time(e: Expected, key: string, t: TimeValue): void {
  if ('absolute' in t) push(e, `${key}.abs`, tsharkDate(t.absolute));
  else push(e, `${key}.rel`, `${t.relativeSeconds}.000000000`);
}

function code(table: Record<string, number>, v: string | number): number {
  return typeof v === 'number' ? v : table[v]!;
}

/** What Wireshark's MMSE dissector should show for a PDU we encoded. */
function expectedFields(pdu: MmsPdu): Expected {
  const e: Expected = { fields: new Map(), uints: [], strings: [], bytes: 0 };
  const p = pdu as unknown as Record<string, unknown>;
  push(e, 'mmse.message_type', hex(MESSAGE_TYPE[pdu.messageType]));
  const indexed = pdu.messageType === 'm-mbox-delete-conf';
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    switch (k) {
      case 'transactionId': push(e, 'mmse.transaction_id', v as string); break;
      case 'mmsVersion': push(e, 'mmse.mms_version', v as string); break;
      case 'messageId': push(e, 'mmse.message_id', v as string); break;
      case 'date': push(e, 'mmse.date', tsharkDate(v as Date)); break;
      case 'from': {
        const f = v as FromAddress;
        push(e, 'mmse.from', f.insertAddress ? '<insert address>' : addr(f));
        break;
      }
      case 'to': case 'cc': case 'bcc':
        for (const a of v as EncodedAddress[]) push(e, `mmse.${k}`, addr(a));
        break;
      case 'subject': case 'responseText': case 'retrieveText': {
        const t = (v as { text: string }).text;
        const key = { subject: 'mmse.subject', responseText: 'mmse.response_text', retrieveText: 'mmse.retrieve_text' }[k];
        if (isAscii(t)) push(e, key, t); // Wireshark 4.0 ignores the charset of encoded strings
        break;
      }
      case 'messageClass':
        if (typeof v === 'string' && !(v in MESSAGE_CLASS)) push(e, 'mmse.message_class.str', v);
        else push(e, 'mmse.message_class.id', hex(code(MESSAGE_CLASS, v as string)));
        break;
      case 'priority': push(e, 'mmse.priority', hex(code(PRIORITY, v as string))); break;
      case 'deliveryReport': push(e, 'mmse.delivery_report', v ? '0x80' : '0x81'); break;
      // Wireshark names it Read-Reply only while it has seen no version octet other than 0x80.
      case 'readReport': push(e, p.mmsVersion === undefined || p.mmsVersion === '0.0' ? 'mmse.read_reply' : 'mmse.read_report', v ? '0x80' : '0x81'); break;
      case 'reportAllowed': push(e, 'mmse.report_allowed', v ? '0x80' : '0x81'); break;
      case 'senderVisibility': push(e, 'mmse.sender_visibility', hex(code(SENDER_VISIBILITY, v as string))); break;
      case 'status': push(e, 'mmse.status', hex(code(STATUS, v as string))); break;
      case 'responseStatus': push(e, 'mmse.response_status', hex(code(RESPONSE_STATUS, v as string))); break;
      case 'retrieveStatus': push(e, 'mmse.retrieve_status', hex(code(RETRIEVE_STATUS, v as string))); break;
      case 'readStatus': push(e, 'mmse.read_status', hex(code(READ_STATUS, v as string))); break;
      case 'replyCharging': push(e, 'mmse.reply_charging', hex(code(REPLY_CHARGING, v as string))); break;
      case 'messageSize': push(e, 'mmse.message_size', String(v)); break;
      case 'replyChargingSize': push(e, 'mmse.reply_charging_size', String(v)); break;
      case 'replyChargingId': push(e, 'mmse.reply_charging_id', v as string); break;
      case 'expiry': time(e, 'mmse.expiry', v as TimeValue); break;
      case 'deliveryTime': time(e, 'mmse.delivery_time', v as TimeValue); break;
      case 'replyChargingDeadline': time(e, 'mmse.reply_charging_deadline', v as TimeValue); break;
      case 'previouslySentBy':
        for (const x of v as { forwardedCount: number; address: EncodedAddress }[]) {
          push(e, 'mmse.previously_sent_by.forward_count', String(x.forwardedCount));
          push(e, 'mmse.previously_sent_by.address', addr(x.address));
        }
        break;
      case 'previouslySentDate':
        for (const x of v as { forwardedCount: number; date: Date }[]) {
          push(e, 'mmse.previously_sent_date.forward_count', String(x.forwardedCount));
          push(e, 'mmse.previously_sent_date.date', tsharkDate(x.date));
        }
        break;
      case 'contentLocation': push(e, 'mmse.content_location', v as string); break;
      case 'contentLocations': for (const x of v as string[]) push(e, 'mmse.content_location', x); break;
      case 'deleteResults':
        // Wireshark recognises the indexed form (m-mbox-delete-conf only) without decoding it.
        for (const r of v as { contentLocation?: string; responseText?: unknown }[]) {
          if (indexed && r.contentLocation !== undefined) push(e, 'mmse.content_location', '<Undecoded value for m-mbox-delete-conf>');
          if (indexed && r.responseText !== undefined) push(e, 'mmse.content_location', '<Undecoded value for m-mbox-delete-conf>');
        }
        break;
      // MMS 1.2/1.3 headers Wireshark 4.0 lists but does not decode: it shows their raw value.
      case 'store': case 'stored': case 'totals': case 'quotas': case 'distributionIndicator': case 'drmContent': case 'adaptationAllowed':
        e.uints.push(v ? 0x80 : 0x81);
        break;
      case 'mmState': e.uints.push(code(MM_STATE, v as string)); break;
      case 'mmStates': for (const x of v as string[]) e.uints.push(code(MM_STATE, x)); break;
      case 'storeStatus': e.uints.push(code(STORE_STATUS, v as string)); break;
      case 'contentClass': e.uints.push(code(CONTENT_CLASS, v as string)); break;
      case 'cancelStatus': e.uints.push(code(CANCEL_STATUS, v as string)); break;
      case 'recommendedRetrievalMode': e.uints.push(0x80); break;
      case 'attributes': for (const x of v as (keyof typeof FIELD)[]) e.uints.push(0x80 | FIELD[x]); break;
      case 'messageCount': case 'start': case 'limit': e.uints.push(0x80 | (v as number)); break;
      case 'applicId': case 'replyApplicId': case 'auxApplicInfo': case 'replaceId': case 'cancelId':
        e.strings.push(v as string);
        break;
      case 'storeStatusText': case 'statusText': case 'recommendedRetrievalModeText':
        e.strings.push((v as { text: string }).text);
        break;
      case 'mmFlags': e.bytes += (v as unknown[]).length; break;
      case 'elementDescriptor': e.bytes += 1; break;
      case 'mboxTotals': case 'mboxQuotas': e.bytes += Object.keys(v as object).length; break;
      case 'messageType': case 'body': break;
      default: throw new Error(`no Wireshark expectation for ${k}`);
    }
  }
  const body = pdu.body;
  if (body) {
    const types = [body.contentType.type];
    const walk = (ps: WspPart[]): void => {
      for (const part of ps) {
        types.push(part.contentType.type);
        const params = part.contentType.params ?? {};
        if (params.name !== undefined) push(e, 'wsp.parameter.name', params.name);
        if (part.headers.contentId !== undefined) push(e, 'wsp.header.content_id', `"<${part.headers.contentId}>"`);
        if (part.headers.contentLocation !== undefined) push(e, 'wsp.header.content_location', part.headers.contentLocation);
        const d = part.headers.contentDisposition;
        if (d) {
          push(e, 'wsp.header.content_disposition', d.type);
          if (d.params?.filename !== undefined) push(e, 'wsp.parameter.filename', d.params.filename);
        }
      }
    };
    if (body.parts) walk(body.parts);
    e.fields.set('wsp.header.content_type', types);
    const bp = body.contentType.params ?? {};
    if (bp.start !== undefined) push(e, 'wsp.parameter.start', `<${bp.start}>`);
    if (bp.type !== undefined) push(e, 'wsp.parameter.upart.type', bp.type);
  }
  return e;
}

/** mmse.* fields of the top-level PDU (not of PDUs nested in its body). */
function mmseFields(mmse: Node, key: string): string[] {
  const out: string[] = [];
  const walk = (n: Node): void => {
    for (const [k, vs] of Object.entries(n)) {
      if (k === 'wsp.post.data') continue;
      for (const v of vs) {
        if (k === key && typeof v === 'string') out.push(v);
        if (typeof v !== 'string') walk(v);
      }
    }
  };
  walk(mmse);
  return out;
}

function check(layers: Node, pdu: MmsPdu): void {
  assert.ok(layers.mmse, `Wireshark did not dissect ${pdu.messageType} as MMSE`);
  const mmse = layers.mmse[0] as Node;
  assert.equal(malformed(layers), false, 'Wireshark reports a malformed packet');
  const e = expectedFields(pdu);
  for (const [key, want] of e.fields) {
    const got = key.startsWith('mmse.') ? mmseFields(mmse, key) : all(mmse, key);
    assert.deepEqual(got, want, key);
  }
  const sort = (a: number[]): number[] => [...a].sort((x, y) => x - y);
  assert.deepEqual(sort(mmseFields(mmse, 'mmse.header.uint').map(Number)), sort(e.uints), 'undecoded well-known values');
  assert.deepEqual(mmseFields(mmse, 'mmse.header.string').sort(), [...e.strings].sort(), 'undecoded text values');
  assert.equal(mmseFields(mmse, 'mmse.header.bytes').length, e.bytes, 'undecoded general-form values');
}

/** The sample PDUs, plus variants that exercise other value forms. */
function pdus(): MmsPdu[] {
  const list = samplePdus().map((p) => {
    // Wireshark 4.0 does not decode the indexed Response-Status of m-mbox-delete-conf: use the plain form there.
    if (p.messageType === 'm-mbox-delete-conf') {
      return { ...p, responseStatus: 'ok', deleteResults: p.deleteResults!.map(({ responseStatus: _s, ...r }) => r) } as MmsPdu;
    }
    return p;
  });
  list.push(
    {
      messageType: 'm-send-req',
      transactionId: 'v10',
      mmsVersion: '1.0',
      from: { address: 'sender@example.org' },
      to: [{ address: '+447700900123', type: 'PLMN' }, { address: 'fe80::1', type: 'IPv6' }],
      subject: { text: 'version 1.0 read reply', charset: 'us-ascii' },
      messageClass: 'campaign',
      readReport: true,
      expiry: { absolute: new Date('2030-01-01T00:00:00Z') },
      body: { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, data: Buffer.from('plain body') },
    },
    {
      messageType: 'm-notification-ind',
      transactionId: 'n2',
      mmsVersion: '1.1',
      from: { address: '', insertAddress: true },
      messageClass: 'auto',
      messageSize: 70000000,
      expiry: { relativeSeconds: 1 },
      contentLocation: 'http://x.example/' + 'y'.repeat(300),
    },
    { messageType: 'm-send-conf', transactionId: 'c2', mmsVersion: '1.1', responseStatus: 'error-transient-network-problem', responseText: { text: 'Try later' } },
    { messageType: 'm-retrieve-conf', transactionId: 'r2', mmsVersion: '1.2', date: new Date('2024-01-01T00:00:00Z'), retrieveStatus: 'error-permanent-message-not-found', retrieveText: { text: 'Expired' }, body: { contentType: { type: 'text/plain', params: {} }, data: Buffer.from('The message has expired') } },
  );
  return list;
}

describe('Wireshark dissects every PDU type we encode to the same values', { skip }, () => {
  const list = pdus();
  // Wireshark 4.0's MMSE heuristic knows message types up to m-mbox-descr; the MMS 1.3 ones go through HTTP.
  const viaHttp = (p: MmsPdu): boolean => MESSAGE_TYPE[p.messageType] > 0x93;
  let mmse: Node[] = [];
  let http: Node[] = [];
  before(() => {
    mmse = dissect('mmse', list.filter((p) => !viaHttp(p)).map((p) => encodePdu(p)));
    http = dissect('http', list.filter(viaHttp).map((p) => encodePdu(p)));
  });
  let im = 0;
  let ih = 0;
  for (const pdu of list) {
    const idx = viaHttp(pdu) ? ih++ : im++;
    const from = viaHttp(pdu) ? 'http' : 'mmse';
    test(`${pdu.messageType} (${(pdu as { transactionId?: string }).transactionId ?? pdu.mmsVersion})`, () => {
      const layers = (from === 'http' ? http : mmse)[idx];
      assert.ok(layers, 'no packet');
      if (from === 'http') {
        // Wireshark does not know these MMS 1.3 types by name, nor their headers' meaning; check the frame.
        const m = layers.mmse![0] as Node;
        assert.deepEqual(mmseFields(m, 'mmse.message_type'), [hex(MESSAGE_TYPE[pdu.messageType])]);
        assert.deepEqual(mmseFields(m, 'mmse.transaction_id'), [(pdu as { transactionId: string }).transactionId]);
        assert.deepEqual(mmseFields(m, 'mmse.mms_version'), [pdu.mmsVersion]);
        if (pdu.messageType === 'm-delete-req') assert.deepEqual(mmseFields(m, 'mmse.content_location'), pdu.contentLocations);
        if (pdu.messageType === 'm-cancel-req') assert.deepEqual(mmseFields(m, 'mmse.header.string'), [pdu.cancelId]);
        if (pdu.messageType === 'm-cancel-conf') assert.deepEqual(mmseFields(m, 'mmse.header.uint'), [String(CANCEL_STATUS[pdu.cancelStatus as 'cancel-request-corrupted'])]);
        return;
      }
      check(layers, pdu);
    });
  }
});

function notifications(): NotificationInd[] {
  const base = samplePdus().find((p) => p.messageType === 'm-notification-ind') as NotificationInd;
  return [
    { ...base, subject: { text: 'Holiday pictures' } },
    {
      messageType: 'm-notification-ind',
      transactionId: 'TID-42',
      mmsVersion: '1.2',
      from: { address: '+15550001234', type: 'PLMN' },
      messageClass: 'personal',
      messageSize: 51488,
      expiry: { relativeSeconds: 172800 },
      contentLocation: 'http://mmsc.example/mms/get/0123456789abcdef',
    },
  ];
}

describe('Wireshark dissects our WAP Push PDUs', { skip }, () => {
  const list = notifications();
  let got: Node[] = [];
  before(() => {
    got = dissect('push', list.map((n, i) => encodeWapPush({ transactionId: 0x10 + i, body: encodePdu(n) })));
  });
  list.forEach((n, i) => {
    test(`push ${i}: ${n.transactionId}`, () => {
      const layers = got[i]!;
      const wsp = layers.wsp![0] as Node;
      assert.deepEqual(all(wsp, 'wsp.TID'), ['0x' + (0x10 + i).toString(16).padStart(2, '0')]);
      assert.deepEqual(all(wsp, 'wsp.pdu_type'), ['0x06']);
      assert.deepEqual(all(wsp, 'wsp.header.content_type'), ['application/vnd.wap.mms-message']);
      assert.deepEqual(all(wsp, 'wsp.header.x_wap_application_id'), ['x-wap-application:mms.ua']);
      check(layers, n);
    });
  });
});

describe('Wireshark reassembles our SMS segments (WDP over SMS) into the push', { skip }, () => {
  const cases = [
    { name: '16-bit reference', reference: 0xbeef, reference16bit: true },
    { name: '8-bit reference', reference: 0x42, reference16bit: false },
  ];
  const n = notifications()[0]!;
  // a longer notification so that it takes three segments
  const long: NotificationInd = { ...n, contentLocation: 'http://mmsc.example/get?id=' + 'z'.repeat(150) };
  const results: Node[][] = [];
  const segsOf: Buffer[][] = [];
  before(() => {
    for (const c of cases) {
      const segs = segmentForSms(encodeWapPush({ transactionId: 1, body: encodePdu(long) }), c);
      segsOf.push(segs);
      const ts = new Date('2024-03-01T12:00:00Z');
      results.push(dissect('sms', segs.map((s) => encodeSmsDeliver({ originator: '+15550001111', userData: s, timestamp: ts }))));
    }
  });
  cases.forEach((c, ci) => {
    test(c.name, () => {
      const segs = segsOf[ci]!;
      assert.equal(segs.length, 3);
      const frames = results[ci]!;
      assert.equal(frames.length, segs.length);
      frames.forEach((f, i) => {
        const sms = f.gsm_sms![0] as Node;
        assert.deepEqual(all(sms, 'gsm_sms.tp-oa'), ['15550001111']);
        assert.deepEqual(all(sms, 'gsm_sms.tp-udhi'), ['1']);
        assert.deepEqual(all(sms, 'gsm_sms.udh.mm.msg_id'), [String(c.reference)]);
        assert.deepEqual(all(sms, 'gsm_sms.udh.mm.msg_parts'), [String(segs.length)]);
        assert.deepEqual(all(sms, 'gsm_sms.udh.mm.msg_part'), [String(i + 1)]);
        assert.deepEqual(all(sms, 'gsm_sms.destination_port'), ['2948']);
        assert.deepEqual(all(sms, 'gsm_sms.originator_port'), ['9200']);
        assert.ok(Number(all(sms, 'gsm_sms.tp.user_data_length')[0]) <= 140);
      });
      const last = frames[frames.length - 1]!.gsm_sms![0] as Node;
      assert.deepEqual(all(last, 'gsm_sms.reassembled.length'), [String(segs.reduce((s, x) => s + x.length, 0) - segs.reduce((s, x) => s + 1 + x[0]!, 0))]);
      assert.deepEqual(all(last, 'wsp.header.x_wap_application_id'), ['x-wap-application:mms.ua']);
      check({ ...last, mmse: (findNode(last, 'mmse') ?? []) as Node[] }, long);
    });
  });
});

function findNode(n: Node, key: string): (string | Node)[] | undefined {
  if (n[key]) return n[key];
  for (const vs of Object.values(n)) for (const v of vs) if (typeof v !== 'string') {
    const r = findNode(v, key);
    if (r) return r;
  }
  return undefined;
}
