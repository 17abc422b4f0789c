// The codec against messages written here byte by byte from RFC 6733 (§3 header, §4.1 AVP
// header, §4.2-4.3 data formats), RFC 4006 (credit control) and 3GPP TS 32.299 (vendor 10415),
// not produced by this package's own encoder: the encoder must produce exactly these bytes, and
// the decoder must read them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiameterDecodeError, decodeGrouped, decodeMessage, encodeMessage, findAvp, getNumber, getString, getValue, makeAvp } from '../src/index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Capabilities-Exchange-Request (command 257, R flag, application 0). */
const CER = hex(`
  01 00006c 80 000101 00000000 00000001 00000002
  00000108 40 000011 6d6d73632e74657374 000000
  00000128 40 00000c 74657374
  00000101 40 00000e 0001 7f000001 0000
  0000010a 40 00000c 00000000
  0000010d 00 000010 4f70656e4d4d5343
  00000102 40 00000c 00000004
`);
// Version 1, length 108; Origin-Host (264, M) "mmsc.test" (17 bytes, 3 of padding not counted);
// Origin-Realm (296) "test"; Host-IP-Address (257): address family 1 (IPv4) + 127.0.0.1, padded;
// Vendor-Id (266) 0; Product-Name (269, no M bit) "OpenMMSC"; Auth-Application-Id (258) 4.

/** Credit-Control-Request (272, R+P, application 4) with grouped and 3GPP vendor-specific AVPs. */
const CCR = hex(`
  01 0000a8 c0 000110 00000004 0a0b0c0d 11121314
  00000107 40 00000b 733b31 00
  000001a0 40 00000c 00000004
  00000037 40 00000c eb2080a5
  000001a5 40 000010 0000000200000005
  000001bb 40 000028
    000001c2 40 00000c 00000000
    000001bc 40 000013 3135353530303030303031 00
  00000369 c0 000038 000028af
    0000036d c0 00002c 000028af
      000004ba c0 00000f 000028af 616263 00
      000004bc c0 000010 000028af 000004d2
`);
// Session-Id (263) "s;1"; CC-Request-Type (416) EVENT_REQUEST (4); Event-Timestamp (55):
// 2025-01-02T03:04:05Z as NTP seconds (since 1900); CC-Total-Octets (421, Unsigned64) 2^33 + 5;
// Subscription-Id (443) { Subscription-Id-Type (450) END_USER_E164, Subscription-Id-Data (444) };
// Service-Information (873, V+M, vendor 10415) { MMS-Information (877) { Message-ID (1210) "abc",
// Message-Size (1212) 1234 } }.

describe('Diameter wire format from RFC 6733, RFC 4006 and TS 32.299', () => {
  it('decodes a CER written by hand: header fields, flags, padding and the Address type', () => {
    const m = decodeMessage(CER);
    assert.equal(m.commandCode, 257);
    assert.equal(m.applicationId, 0);
    assert.deepEqual(m.flags, { request: true, proxiable: false, error: false, retransmit: false });
    assert.deepEqual([m.hopByHop, m.endToEnd], [1, 2]);
    assert.equal(m.avps.length, 6);
    assert.equal(getString(m.avps, 'Origin-Host'), 'mmsc.test');
    assert.equal(getString(m.avps, 'Origin-Realm'), 'test');
    assert.equal(getValue(m.avps, 'Host-IP-Address'), '127.0.0.1');
    assert.equal(getNumber(m.avps, 'Auth-Application-Id'), 4);
    const product = findAvp(m.avps, 'Product-Name')!;
    assert.equal(product.mandatory, false);
    assert.equal(product.data.toString(), 'OpenMMSC');
    assert.equal(findAvp(m.avps, 'Origin-Host')!.data.length, 9, 'padding is not part of the data');
  });

  it('encodes the same CER to exactly those bytes', () => {
    const bytes = encodeMessage({
      commandCode: 257,
      applicationId: 0,
      flags: { request: true, proxiable: false, error: false, retransmit: false },
      hopByHop: 1,
      endToEnd: 2,
      avps: [
        makeAvp('Origin-Host', 'mmsc.test'),
        makeAvp('Origin-Realm', 'test'),
        makeAvp('Host-IP-Address', '127.0.0.1'),
        makeAvp('Vendor-Id', 0),
        makeAvp('Product-Name', 'OpenMMSC'),
        makeAvp('Auth-Application-Id', 4),
      ],
    });
    assert.equal(bytes.toString('hex'), CER.toString('hex'));
  });

  it('decodes a CCR written by hand: Time, Unsigned64, grouped and vendor-specific AVPs', () => {
    const m = decodeMessage(CCR);
    assert.equal(m.commandCode, 272);
    assert.equal(m.applicationId, 4);
    assert.deepEqual(m.flags, { request: true, proxiable: true, error: false, retransmit: false });
    assert.deepEqual([m.hopByHop, m.endToEnd], [0x0a0b0c0d, 0x11121314]);
    assert.equal(getString(m.avps, 'Session-Id'), 's;1');
    assert.equal(getNumber(m.avps, 'CC-Request-Type'), 4);
    assert.deepEqual(getValue(m.avps, 'Event-Timestamp'), new Date('2025-01-02T03:04:05Z'));
    assert.equal(getValue(m.avps, 'CC-Total-Octets'), 2 ** 33 + 5);
    const sub = decodeGrouped(findAvp(m.avps, 'Subscription-Id')!);
    assert.equal(getNumber(sub, 'Subscription-Id-Type'), 0);
    assert.equal(getString(sub, 'Subscription-Id-Data'), '15550000001');
    const service = findAvp(m.avps, 'Service-Information')!;
    assert.equal(service.vendorId, 10415);
    assert.equal(service.mandatory, true);
    assert.equal(getString(m.avps, 'Service-Information/MMS-Information/Message-ID'), 'abc');
    assert.equal(getNumber(m.avps, 'Service-Information/MMS-Information/Message-Size'), 1234);
  });

  it('encodes the same CCR to exactly those bytes', () => {
    const bytes = encodeMessage({
      commandCode: 272,
      applicationId: 4,
      flags: { request: true, proxiable: true, error: false, retransmit: false },
      hopByHop: 0x0a0b0c0d,
      endToEnd: 0x11121314,
      avps: [
        makeAvp('Session-Id', 's;1'),
        makeAvp('CC-Request-Type', 'EVENT_REQUEST'),
        makeAvp('Event-Timestamp', new Date('2025-01-02T03:04:05Z')),
        makeAvp('CC-Total-Octets', 2n ** 33n + 5n),
        makeAvp('Subscription-Id', [makeAvp('Subscription-Id-Type', 'END_USER_E164'), makeAvp('Subscription-Id-Data', '15550000001')]),
        makeAvp('Service-Information', [makeAvp('MMS-Information', [makeAvp('Message-ID', 'abc'), makeAvp('Message-Size', 1234)])]),
      ],
    });
    assert.equal(bytes.toString('hex'), CCR.toString('hex'));
  });

  it('an answer: the R bit clear, the E bit set (RFC 6733 §3: error answers)', () => {
    const answer = hex(`01 000020 20 000110 00000004 0a0b0c0d 11121314  0000010c 40 00000c 00000bbc`);
    const m = decodeMessage(answer);
    assert.deepEqual(m.flags, { request: false, proxiable: false, error: true, retransmit: false });
    assert.equal(getNumber(m.avps, 'Result-Code'), 3004, 'DIAMETER_TOO_BUSY');
  });

  it('refuses a header whose length disagrees with the bytes, and an AVP shorter than its own header', () => {
    assert.throws(() => decodeMessage(CER.subarray(0, CER.length - 4)), DiameterDecodeError);
    const shortAvp = hex(`01 00001c 80 000101 00000000 00000001 00000002  00000108 40 000004 00000000`);
    assert.throws(() => decodeMessage(shortAvp), DiameterDecodeError);
  });
});
