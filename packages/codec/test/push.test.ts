/** WAP Push (connectionless WSP) and WDP over SMS: corpus samples, encode, segmentation, reassembly. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildUdh,
  decodePdu,
  decodeSmsTpdu,
  decodeWapPush,
  encodePdu,
  encodeSmsDeliver,
  encodeSmsSubmit,
  encodeWapPush,
  isMmsPush,
  isWapPush,
  parseUdh,
  parseUdhElements,
  segmentForSms,
  SmsReassembler,
  PushDecodeError,
  type NotificationInd,
  type EncodedAddress,
} from '../src/index.js';
import { CORPUS, expectedFor, hex, readCorpus } from './helpers.js';
import { samplePdus } from './fixtures.js';

type Json = Record<string, unknown>;

describe('corpus: mmsd WSP push PDUs', () => {
  for (let i = 1; i <= 5; i++) {
    const f = `mmsd/wsp-push/push${i}.bin`;
    test(f, () => {
      const buf = readCorpus(f);
      const doc = (expectedFor(f)!.documented_decode as string[]).reduce<Record<string, string>>((o, l) => {
        const m = /^([^:]+): (.*)$/.exec(l);
        if (m) o[m[1]!] ??= m[2]!;
        return o;
      }, {});
      assert.equal(buf[1], 0x06);
      assert.ok(isWapPush(buf));
      const push = decodeWapPush(buf);
      assert.equal(buf.length, Number(doc['Overall Push Length']));
      assert.equal(push.transactionId, Number(doc.TID));
      assert.equal(push.pduType, Number(doc.Type));
      assert.equal(push.contentType.type, doc['Content-Type']);
      assert.equal(push.body.length, Number(doc['Body Length']));
      const app = /-> (.*)$/.exec(doc.Value ?? '')?.[1];
      if (doc.Header?.includes('X-Wap-Application-Id')) assert.equal(push.applicationId, app);
      if (isMmsPush(push)) {
        const n = decodePdu(push.body);
        assert.equal(n.messageType, 'm-notification-ind');
      }
    });
  }
});

describe('corpus: python-messaging WAP push', () => {
  test('wsp-push-mms-notification-nok5.bin', () => {
    const f = 'python-messaging/wap-push/wsp-push-mms-notification-nok5.bin';
    const buf = readCorpus(f);
    const exp = expectedFor(f)!;
    assert.equal(isWapPush(buf), (exp.asserted as Json).is_a_wap_push_notification);
    for (const v of exp.also_asserted_negative as Json[]) {
      assert.equal(isWapPush(Buffer.from(String(v.bytes_hex), 'hex')), v.is_a_wap_push_notification);
    }
    const push = decodeWapPush(buf);
    assert.ok(isMmsPush(push));
    assert.equal(push.applicationId, 'x-wap-application:mms.ua');
    const n = decodePdu(push.body) as NotificationInd;
    assert.equal(n.messageType, 'm-notification-ind');
    assert.equal(n.transactionId, 'NOK5CiKcoTMYSG4MBSwAAsKv14FUHAAAAAAAA');
  });

  test('UDH vectors', () => {
    const exp = JSON.parse(readFileSync(join(CORPUS, 'python-messaging/wap-push/udh-vectors.expected.json'), 'utf8')) as { vectors: Json[] };
    for (const v of exp.vectors) {
      const udh = parseUdhElements(Buffer.from(String(v.udh_hex), 'hex'));
      const a = v.asserted as Json;
      assert.equal(udh.concat?.sequence, a['concat.seq']);
      assert.equal(udh.concat?.total, a['concat.cnt']);
      assert.equal(udh.concat?.reference, a['concat.ref']);
      if (a['ports.dest_port'] !== undefined) {
        assert.equal(udh.ports?.destination, a['ports.dest_port']);
        assert.equal(udh.ports?.source, a['ports.orig_port']);
      }
    }
  });

  for (const name of ['sms-deliver-mms-notification-1', 'sms-deliver-mms-notification-2', 'sms-deliver-generic-push-1']) {
    test(`${name}: SMS-DELIVER segments reassemble into the push`, () => {
      const f = `python-messaging/wap-push/${name}.pdus.hex`;
      const lines = readCorpus(f).toString('latin1').split(/\s+/).filter(Boolean);
      const a = expectedFor(f)!.asserted as Json;
      const segs = a.segments as Json[];
      assert.equal(lines.length, segs.length);
      const r = new SmsReassembler();
      let done;
      lines.forEach((l, i) => {
        const tpdu = decodeSmsTpdu(Buffer.from(l, 'hex'), { withSmsc: true });
        assert.equal(tpdu.type, 'deliver');
        if (tpdu.type !== 'deliver') return;
        const s = segs[i]!;
        assert.equal(tpdu.originator, s.originating_address);
        if (s.smsc_address !== undefined) assert.equal(tpdu.smsc, s.smsc_address);
        assert.ok(tpdu.udhi);
        const { udh } = parseUdh(tpdu.userData);
        assert.equal(udh.concat?.reference, s['udh.concat.ref']);
        assert.equal(udh.concat?.total, s['udh.concat.cnt']);
        assert.equal(udh.concat?.sequence, s['udh.concat.seq']);
        const out = r.push(tpdu.originator, tpdu.userData);
        if (i < lines.length - 1) assert.equal(out, undefined);
        else done = out;
      });
      assert.ok(done);
      const { payload, ports } = done as { payload: Buffer; ports?: { destination: number } };
      assert.equal(ports?.destination, 2948);
      assert.equal(r.size, 0);
      const push = decodeWapPush(payload);
      assert.equal(isMmsPush(push), a.is_mms_notification);
      if (a.reassembled_payload_hex) assert.equal(hex(payload), a.reassembled_payload_hex);
      const mh = a.mms_headers as Json | undefined;
      if (mh) {
        const n = decodePdu(push.body) as NotificationInd;
        assert.equal(n.messageType, mh['Message-Type']);
        assert.equal(n.transactionId, mh['Transaction-Id']);
        assert.equal(n.mmsVersion, mh['MMS-Version']);
        const from = n.from as EncodedAddress;
        assert.equal(`${from.address}/TYPE=${from.type}`, mh.From);
        assert.equal(n.messageClass, String(mh['Message-Class']).toLowerCase());
        assert.equal(n.messageSize, mh['Message-Size']);
        assert.deepEqual(n.expiry, { relativeSeconds: mh.Expiry });
        assert.equal(n.contentLocation, mh['Content-Location']);
      }
    });
  }
});

describe('WAP push encoding', () => {
  const notification = samplePdus().find((p) => p.messageType === 'm-notification-ind')!;
  test('MMS notification push: TID, 0x06, headers, body', () => {
    const body = encodePdu(notification);
    const push = encodeWapPush({ transactionId: 0x42, contentType: 'application/vnd.wap.mms-message', body });
    assert.equal(hex(push.subarray(0, 5)), '420603beaf'.slice(0, 10));
    assert.equal(push[5], 0x84); // x-wap-application:mms.ua
    const back = decodeWapPush(push);
    assert.equal(back.transactionId, 0x42);
    assert.equal(back.pduType, 6);
    assert.equal(back.contentType.type, 'application/vnd.wap.mms-message');
    assert.equal(back.applicationId, 'x-wap-application:mms.ua');
    assert.deepEqual(Buffer.from(back.body), body);
  });
  test('textual application id and extra headers', () => {
    const push = encodeWapPush({
      body: Buffer.from('x'),
      applicationId: 'x-example:app',
      headers: [{ code: 0x34, name: 'Push-Flag', raw: Buffer.from([0x82]) }],
    });
    const back = decodeWapPush(push);
    assert.equal(back.applicationId, 'x-example:app');
    assert.equal(back.pushFlag, 2);
  });
  test('not a push PDU', () => {
    assert.throws(() => decodeWapPush(Buffer.from('0405395c2d', 'hex')), PushDecodeError);
    assert.throws(() => decodeWapPush(Buffer.from('0106ff', 'hex')), PushDecodeError);
  });
});

describe('WDP over SMS', () => {
  const payload = Buffer.from(Array.from({ length: 600 }, (_, i) => i & 0xff));
  test('single segment: port addressing only', () => {
    const segs = segmentForSms(payload.subarray(0, 100), { reference: 1 });
    assert.equal(segs.length, 1);
    assert.equal(hex(segs[0]!.subarray(0, 7)), '0605040b8423f0');
    assert.equal(segs[0]!.length, 107);
  });
  for (const reference16bit of [false, true]) {
    test(`concatenated, ${reference16bit ? '16' : '8'}-bit reference`, () => {
      const reference = reference16bit ? 0xbeef : 0xab;
      const segs = segmentForSms(payload, { reference, reference16bit, destPort: 2948, srcPort: 9200 });
      const room = reference16bit ? 127 : 128;
      assert.equal(segs.length, Math.ceil(600 / room));
      segs.forEach((s, i) => {
        assert.ok(s.length <= 140);
        const { udh } = parseUdh(s);
        assert.deepEqual(udh.concat, { reference, total: segs.length, sequence: i + 1, reference16bit });
        assert.deepEqual(udh.ports, { destination: 2948, source: 9200, ports16bit: true });
      });
      assert.equal(segs[0]!.length, 140);
      // reassembly, out of order and with a duplicate
      const r = new SmsReassembler();
      const order = segs.map((_, i) => i).reverse();
      let out;
      for (const i of [order[0]!, ...order]) out = r.push('+15550001111', segs[i]!) ?? out;
      assert.ok(out);
      assert.deepEqual(out!.payload, payload);
      assert.equal(out!.segments, segs.length);
    });
  }
  test('reassembler keys by originator, expires, and bounds what it holds', () => {
    let now = 0;
    const r = new SmsReassembler({ timeoutMs: 1000, maxPending: 2, now: () => now });
    const a = segmentForSms(payload, { reference: 1 });
    const b = segmentForSms(payload, { reference: 1 });
    assert.equal(r.push('A', a[0]!), undefined);
    assert.equal(r.push('B', b[0]!), undefined);
    assert.equal(r.size, 2);
    r.push('C', a[0]!);
    assert.equal(r.size, 2); // oldest (A) dropped
    now = 5000;
    assert.equal(r.purge(), 2);
    assert.equal(r.size, 0);
  });
  test('SMS-DELIVER and SMS-SUBMIT TPDUs', () => {
    const segs = segmentForSms(payload, { reference: 7 });
    const ts = new Date('2024-03-01T12:34:56Z');
    const d = decodeSmsTpdu(encodeSmsDeliver({ originator: '+15550001111', userData: segs[0]!, timestamp: ts }));
    assert.equal(d.type, 'deliver');
    if (d.type === 'deliver') {
      assert.equal(d.originator, '+15550001111');
      assert.equal(d.timestamp.getTime(), ts.getTime());
      assert.ok(d.udhi);
      assert.equal(d.dcs, 0x04);
      assert.deepEqual(Buffer.from(d.userData), segs[0]);
    }
    const s = decodeSmsTpdu(encodeSmsSubmit({ destination: '12345', userData: segs[1]!, messageReference: 9 }));
    assert.equal(s.type, 'submit');
    if (s.type === 'submit') {
      assert.equal(s.destination, '12345');
      assert.equal(s.messageReference, 9);
      assert.deepEqual(Buffer.from(s.userData), segs[1]);
    }
  });
  test('bad UDH is a typed error', () => {
    assert.throws(() => parseUdh(Buffer.from('0c0804', 'hex')), PushDecodeError);
    assert.throws(() => buildUdh({ concat: { reference: 300, total: 2, sequence: 1, reference16bit: false } }), { name: 'PushEncodeError' });
  });
});
