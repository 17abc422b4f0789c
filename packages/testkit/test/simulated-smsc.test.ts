import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SimulatedSmsc, reassembleSubmits, waitFor } from '../src/index.js';
import { RawEsme, bindTransceiver, cstr, fields, pdu, submitSm } from './smpp-esme.js';

// SMPP 3.4 command ids (section 5.1.2.1) and error codes (5.1.3) the tests look for.
const SMPP = { bindTransceiverResp: 0x80000009, submitSmResp: 0x80000004, deliverSm: 0x00000005, enquireLinkResp: 0x80000015 } as const;
const STATUS = { invalidPassword: 0x0e, throttled: 0x58, invalidBindStatus: 0x04 } as const;

describe('SimulatedSmsc, driven by a raw SMPP 3.4 ESME', () => {
  const smsc = new SimulatedSmsc({ systemId: 'mmsc', password: 'secret' });
  const open: RawEsme[] = [];
  before(() => smsc.start());
  after(async () => {
    for (const e of open) e.close();
    await smsc.stop();
  });
  const esme = async () => {
    const e = await RawEsme.open(smsc.port);
    open.push(e);
    return e;
  };
  const bound = async () => {
    const e = await esme();
    e.send(bindTransceiver(1, 'mmsc', 'secret'));
    const resp = await e.next();
    assert.equal(resp.commandId, SMPP.bindTransceiverResp);
    assert.equal(resp.status, 0);
    return e;
  };

  it('refuses a bind with the wrong password (ESME_RINVPASWD) and records the attempt', async () => {
    const e = await esme();
    e.send(bindTransceiver(7, 'mmsc', 'wrong'));
    const resp = await e.next();
    assert.equal(resp.commandId, SMPP.bindTransceiverResp);
    assert.equal(resp.status, STATUS.invalidPassword);
    assert.equal(resp.sequence, 7);
    const attempt = smsc.binds.at(-1)!;
    assert.deepEqual([attempt.systemId, attempt.password, attempt.accepted, attempt.mode, attempt.interfaceVersion], ['mmsc', 'wrong', false, 'transceiver', 0x34]);
  });

  it('refuses submit_sm before bind with ESME_RINVBNDSTS', async () => {
    const e = await esme();
    e.send(submitSm(2, '15550000001', 0, 0, Buffer.from('hi')));
    const resp = await e.next();
    assert.equal(resp.commandId, SMPP.submitSmResp);
    assert.equal(resp.status, STATUS.invalidBindStatus);
  });

  it('accepts a bound submit_sm, answers a message id and records the raw short_message', async () => {
    const e = await bound();
    assert.equal(smsc.boundSessions >= 1, true);
    const udh = Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x01, 0x01]);
    const body = Buffer.from([0x01, 0x06, 0x01, 0xbe]);
    e.send(submitSm(3, '15550000001', 0x40, 0x04, Buffer.concat([udh, body])));
    const resp = await e.next();
    assert.equal(resp.commandId, SMPP.submitSmResp);
    assert.equal(resp.status, 0);
    const messageId = fields(resp.body).cstr();
    const sms = smsc.submits.find((s) => s.messageId === messageId);
    assert.ok(sms, 'the submit is recorded under the id it was answered with');
    assert.equal(sms.destinationAddr, '15550000001');
    assert.deepEqual([sms.esmClass, sms.dataCoding, sms.destTon, sms.destNpi, sms.sourceAddr], [0x40, 0x04, 1, 1, 'MMSC']);
    assert.deepEqual(sms.shortMessage, Buffer.concat([udh, body]), 'short_message kept byte for byte, UDH included');
  });

  it('throttles the next submits on demand, then accepts again; answers enquire_link', async () => {
    const e = await bound();
    smsc.throttleNext(1);
    e.send(submitSm(4, '15550000002', 0, 0, Buffer.from('one')));
    assert.equal((await e.next()).status, STATUS.throttled);
    assert.equal(smsc.refused.at(-1)?.status, STATUS.throttled);
    e.send(submitSm(5, '15550000002', 0, 0, Buffer.from('two')));
    assert.equal((await e.next()).status, 0);
    const before = smsc.enquireLinks;
    e.send(pdu(0x00000015, 6, Buffer.alloc(0)));
    const resp = await e.next();
    assert.deepEqual([resp.commandId, resp.sequence], [SMPP.enquireLinkResp, 6]);
    assert.equal(smsc.enquireLinks, before + 1);
  });

  it('sends a delivery receipt as deliver_sm (esm_class 0x04, SMPP 3.4 appendix B text) and settles on deliver_sm_resp', async () => {
    const e = await bound();
    e.send(submitSm(8, '15550000003', 0, 0, Buffer.from('hello')));
    const messageId = fields((await e.next()).body).cstr();
    const receipt = smsc.sendDeliveryReceipt(messageId, 'DELIVRD');
    const deliver = await e.next();
    assert.equal(deliver.commandId, SMPP.deliverSm);
    const f = fields(deliver.body);
    f.cstr(); // service_type
    f.byte();
    f.byte();
    assert.equal(f.cstr(), '15550000003', 'from the handset');
    f.byte();
    f.byte();
    assert.equal(f.cstr(), 'MMSC', 'to the ESME');
    assert.equal(f.byte(), 0x04, 'esm_class: SMSC delivery receipt');
    f.byte();
    f.byte();
    f.cstr();
    f.cstr();
    f.byte();
    f.byte();
    f.byte();
    f.byte();
    const text = f.rest(f.byte()).toString('latin1');
    assert.match(text, new RegExp(`^id:${messageId} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:hello$`));
    e.send(pdu(0x80000005, deliver.sequence, cstr('')));
    assert.equal(await receipt, true);
  });

  it('drops every link on demand; the ESME sees its connection closed', async () => {
    const e = await bound();
    smsc.dropLinks();
    await waitFor('the connection closed', () => e.closed);
    assert.equal(smsc.boundSessions, 0);
  });
});

describe('reassembleSubmits: what handsets get from the SMSC', () => {
  it('joins concatenated segments (8-bit reference) per destination and reads the WDP ports', () => {
    // UDH: concatenation (IEI 0x00: ref 0x11, 2 parts, part n) + 16-bit ports (IEI 0x05: 2948 ← 9200).
    const udh = (n: number) => Buffer.from([0x0b, 0x00, 0x03, 0x11, 0x02, n, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0]);
    const at = Date.now();
    const base = { sourceAddr: 'MMSC', sourceTon: 5, sourceNpi: 0, destTon: 1, destNpi: 1, esmClass: 0x40, dataCoding: 4, registeredDelivery: 0, at, systemId: 'mmsc', sessionId: 1 };
    const got = reassembleSubmits([
      { ...base, destinationAddr: '15550000001', messageId: 'a', shortMessage: Buffer.concat([udh(1), Buffer.from('first-')]) },
      { ...base, destinationAddr: '15550000002', messageId: 'b', esmClass: 0, shortMessage: Buffer.from('plain') },
      { ...base, destinationAddr: '15550000001', messageId: 'c', shortMessage: Buffer.concat([udh(2), Buffer.from('second')]) },
    ]);
    const joined = got.get('15550000001');
    assert.equal(joined?.length, 1);
    assert.equal(joined[0]!.payload.toString(), 'first-second');
    assert.equal(joined[0]!.segments, 2);
    assert.deepEqual(joined[0]!.ports, { destination: 2948, source: 9200 });
    assert.equal(got.get('15550000002')?.[0]?.payload.toString(), 'plain');
  });
});
