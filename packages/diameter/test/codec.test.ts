import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DiameterDecodeError,
  DiameterFramer,
  avpsToObject,
  decodeMessage,
  encodeMessage,
  getNumber,
  getString,
  getValue,
  makeAvp,
  type DiameterMessage,
} from '../src/index.js';

function ccr(): DiameterMessage {
  return {
    commandCode: 272,
    applicationId: 4,
    flags: { request: true, proxiable: true, error: false, retransmit: false },
    hopByHop: 0x01020304,
    endToEnd: 0xa0b0c0d0,
    avps: [
      makeAvp('Session-Id', 'mmsc.example;1;2;x'),
      makeAvp('Origin-Host', 'mmsc.example'),
      makeAvp('CC-Request-Type', 'EVENT_REQUEST'),
      makeAvp('CC-Request-Number', 0),
      makeAvp('Event-Timestamp', new Date('2025-01-02T03:04:05Z')),
      makeAvp('Host-IP-Address', '127.0.0.1'),
      makeAvp('Subscription-Id', [makeAvp('Subscription-Id-Type', 0), makeAvp('Subscription-Id-Data', '15550000001')]),
      makeAvp('Multiple-Services-Credit-Control', [makeAvp('Requested-Service-Unit', [makeAvp('CC-Service-Specific-Units', 2n ** 60n)])]),
      makeAvp('Service-Information', [makeAvp('MMS-Information', [makeAvp('Message-ID', 'abc'), makeAvp('Message-Size', 1234)])]),
    ],
  };
}

describe('diameter codec', () => {
  it('round-trips header flags, ids and nested vendor AVPs', () => {
    const wire = encodeMessage(ccr());
    assert.equal(wire.length % 4, 0);
    assert.equal(wire.readUIntBE(1, 3), wire.length);
    assert.equal(wire[4], 0xc0); // R and P bits
    const back = decodeMessage(wire);
    assert.equal(back.commandCode, 272);
    assert.equal(back.applicationId, 4);
    assert.equal(back.hopByHop, 0x01020304);
    assert.equal(back.endToEnd, 0xa0b0c0d0);
    assert.equal(getString(back.avps, 'Session-Id'), 'mmsc.example;1;2;x');
    assert.equal(getNumber(back.avps, 'CC-Request-Type'), 4);
    assert.equal(getString(back.avps, 'Subscription-Id/Subscription-Id-Data'), '15550000001');
    assert.equal(getValue(back.avps, 'Multiple-Services-Credit-Control/Requested-Service-Unit/CC-Service-Specific-Units'), 2n ** 60n); // beyond 2^53: a bigint
    assert.equal(getString(back.avps, 'Service-Information/MMS-Information/Message-ID'), 'abc');
    assert.deepEqual(getValue(back.avps, 'Event-Timestamp'), new Date('2025-01-02T03:04:05Z'));
    assert.equal(getValue(back.avps, 'Host-IP-Address'), '127.0.0.1');
    const info = back.avps.find((a) => a.code === 873)!;
    assert.equal(info.vendorId, 10415);
    const tree = avpsToObject(back.avps);
    assert.deepEqual(tree['Service-Information'], { 'MMS-Information': { 'Message-ID': 'abc', 'Message-Size': 1234 } });
  });

  it('pads AVP data to four bytes without counting the padding in the AVP length', () => {
    const avp = makeAvp('Origin-Host', 'abcde');
    const wire = encodeMessage({ ...ccr(), avps: [avp] });
    assert.equal(wire.length, 20 + 16);
    assert.equal(wire.readUIntBE(20 + 5, 3), 13);
  });

  it('frames a stream split at every byte and refuses oversized or corrupt headers', () => {
    const one = encodeMessage(ccr());
    const two = Buffer.concat([one, one]);
    const framer = new DiameterFramer();
    const out: Buffer[] = [];
    for (let i = 0; i < two.length; i++) out.push(...framer.push(two.subarray(i, i + 1)));
    assert.equal(out.length, 2);
    assert.deepEqual(decodeMessage(out[1]!).avps.length, ccr().avps.length);
    const big = Buffer.from(one);
    big.writeUIntBE(5_000_000, 1, 3);
    assert.throws(() => new DiameterFramer(1 << 20).push(big), DiameterDecodeError);
    const v2 = Buffer.from(one);
    v2[0] = 2;
    assert.throws(() => new DiameterFramer().push(v2), /version 2/);
  });

  it('rejects AVPs that run past their container', () => {
    const wire = encodeMessage(ccr());
    wire.writeUIntBE(0xffff, 20 + 5, 3);
    assert.throws(() => decodeMessage(wire), /runs past the end/);
  });

  it('refuses unknown names and wrong value types with a clear message', () => {
    assert.throws(() => makeAvp('No-Such-AVP', 1), /unknown Diameter AVP "No-Such-AVP"/);
    assert.throws(() => makeAvp('CC-Request-Type', 'NOPE'), /CC-Request-Type \(Enumerated\) cannot take "NOPE"/);
  });
});
