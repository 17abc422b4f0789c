import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddress, type ChargingEvent, type RecipientRecord, type StoredMessage } from '@openmmsc/core';
import { buildMessage } from '@openmmsc/testkit';
import { toCdr, toCsvLine } from '../src/index.js';

function message(iface: string, extra: Partial<StoredMessage> = {}): StoredMessage {
  const m = buildMessage({ to: ['+15550000002', 'bob@example.org'], cc: ['+15550000003'], deliveryReport: true });
  m.headers.messageClass = 'personal';
  m.headers.priority = 'high';
  return {
    id: 'msg-1',
    headers: m.headers,
    origin: {
      interface: iface,
      peer: iface === 'mm4' ? 'mms.peer.net' : '10.0.0.1',
      ...(iface === 'mm7' ? { attributes: { vaspId: 'vasp-7', vasId: 'svc-1', serviceCode: 'code-9', linkedId: 'link-1' } } : {}),
    },
    receivedAt: Date.parse('2025-03-01T10:00:00Z'),
    expiresAt: Date.parse('2025-03-08T10:00:00Z'),
    size: 4321,
    partCount: 1,
    recipientCount: 3,
    attributes: {},
    ...extra,
  };
}

function recipient(target: string, extra: Partial<RecipientRecord> = {}): RecipientRecord {
  return {
    index: 1,
    address: parseAddress('+15550000003'),
    kind: 'cc',
    state: 'delivered',
    history: [{ state: 'charged', at: 0, by: 'kernel' }],
    route: { target, by: 'test', ...(target === 'mm4' ? { destination: 'mms.other.net' } : {}) },
    attributes: {},
    ...extra,
  };
}

const at = Date.parse('2025-03-01T10:05:00Z');
const ev = (type: ChargingEvent['type'], m: StoredMessage, r?: RecipientRecord, status?: string): ChargingEvent => ({ type, at, message: m, ...(r ? { recipient: r } : {}), ...(status ? { status } : {}) });

describe('MM8 CDR fields', () => {
  it('originator submission over each interface (MM1, MM4 in, MM7 in, MM3 in)', () => {
    const expected: Record<string, string> = { mm1: 'MMO1S', mm4: 'MMR4F', mm7: 'MM7S', mm3: 'MMR4F', api: 'MMO1S' };
    for (const [iface, recordType] of Object.entries(expected)) {
      const cdr = toCdr(ev('submission', message(iface)), 'node-a');
      assert.equal(cdr.recordType, recordType, iface);
      assert.equal(cdr.event, 'submission');
      assert.match(cdr.cdrId, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(cdr.recordTimeStamp, '2025-03-01T10:05:00.000Z');
      assert.equal(cdr.recordingEntity, 'node-a');
      assert.equal(cdr.messageID, 'msg-1');
      assert.equal(cdr.originatorAddress, '+15550000001/TYPE=PLMN');
      assert.deepEqual(cdr.recipientAddresses, ['+15550000002/TYPE=PLMN', 'bob@example.org', '+15550000003/TYPE=PLMN']);
      assert.equal(cdr.messageSize, 4321);
      assert.equal(cdr.contentType, 'application/vnd.wap.multipart.mixed');
      assert.equal(cdr.messageClass, 'personal');
      assert.equal(cdr.priority, 'high');
      assert.equal(cdr.deliveryReportRequested, true);
      assert.equal(cdr.submissionTime, '2025-03-01T10:00:00.000Z');
      assert.equal(cdr.timeOfExpiry, '2025-03-08T10:00:00.000Z');
      assert.equal(cdr.originatorInterface, iface);
      assert.equal(cdr.chargedParty, { mm1: 'sender', mm7: 'notspecifiedbyVASP' }[iface], iface);
      assert.equal(cdr.status, 'accepted');
      assert.equal(cdr.mmStatusCode, undefined);
      assert.equal(cdr.recipientAddress, undefined);
    }
    const vasp = toCdr(ev('submission', message('mm7')), 'n');
    assert.equal(vasp.vaspID, 'vasp-7');
    assert.equal(vasp.vasID, 'svc-1');
    assert.equal(vasp.serviceCode, 'code-9');
    assert.equal(vasp.linkedID, 'link-1');
    const informational = message('mm1');
    informational.headers.messageClass = 'informational';
    assert.equal(toCdr(ev('submission', informational), 'n').messageClass, 'information-service');
    assert.equal(toCdr(ev('submission', message('mm4')), 'n').peer, 'mms.peer.net');
  });

  it('recipient events: notification, retrieval, acknowledgement, MM4/MM7/MM3 out, expiry, rejection', () => {
    const cases: Array<[ChargingEvent['type'], string, string, string, string | undefined]> = [
      ['notified', 'local', 'MMR1NRq', 'notified', undefined],
      ['retrieved', 'local', 'MMR1Rt', 'retrieved', 'retrieved'],
      ['delivered', 'local', 'MMR1A', 'delivered', 'retrieved'],
      ['forwarded', 'local', 'MMF', 'forwarded', 'forwarded'],
      ['forwarded', 'mm4', 'MMO4FRq', 'forwarded', 'forwarded'],
      ['delivered', 'mm4', 'MMO4FRq', 'delivered', undefined],
      ['delivered', 'mm7', 'MM7DRq', 'delivered', undefined],
      ['delivered', 'mm3', 'MMO4FRq', 'delivered', undefined],
      ['expired', 'local', 'MMRMD', 'expired', 'expired'],
      ['expired', 'mm4', 'MMOMD', 'expired', 'expired'],
      ['recipient-rejected', 'mm4', 'MMOMD', 'rejected', 'rejected'],
      ['recipient-rejected', 'local', 'MMRMD', 'rejected', 'rejected'],
    ];
    for (const [type, target, recordType, status, mmStatusCode] of cases) {
      const cdr = toCdr(ev(type, message('mm1'), recipient(target)), 'n');
      assert.equal(cdr.recordType, recordType, `${type} ${target}`);
      assert.equal(cdr.recipientAddress, '+15550000003/TYPE=PLMN');
      assert.equal(cdr.recipientIndex, 1);
      assert.equal(cdr.routeTarget, target);
      assert.equal(cdr.recipientInterface, target === 'local' ? 'mm1' : target);
      assert.equal(cdr.chargedParty, undefined, 'nobody named a charged party');
      assert.equal(cdr.status, status);
      assert.equal(cdr.mmStatusCode, mmStatusCode, `${type} ${target}`);
    }
    // After a forward, `delivered` is the next hop's delivery report.
    const forwarded = recipient('mm4', { history: [{ state: 'forwarded', at: 1, by: 'mm4' }, { state: 'delivered', at: 2, by: 'mm4' }] });
    assert.equal(toCdr(ev('delivered', message('mm1'), forwarded), 'n').recordType, 'MMO4D');
    assert.equal(toCdr(ev('forwarded', message('mm1'), recipient('mm4')), 'n').routeDestination, 'mms.other.net');
    const rejected = recipient('local', { history: [{ state: 'rejected', at: 1, by: 'push', reason: 'handset refused' }] });
    const r = toCdr(ev('recipient-rejected', message('mm1'), rejected), 'n');
    assert.equal(r.status, 'rejected');
    assert.equal(r.statusText, 'handset refused');
    const withRef = toCdr(ev('delivered', message('mm1'), recipient('local', { charge: { chargingSessionId: 'ocs;1;2' } })), 'n');
    assert.deepEqual(withRef.chargingSessionIds, ['ocs;1;2']);
  });

  it('delivery and read reports, by the interface the original came in on', () => {
    const cases: Array<[ChargingEvent['type'], string, string, string, string]> = [
      ['delivery-report', 'mm1', 'MMO1D', 'retrieved', 'retrieved'],
      ['delivery-report', 'mm4', 'MMR4DRq', 'expired', 'expired'],
      ['delivery-report', 'mm7', 'MM7DRRq', 'retrieved', 'retrieved'],
      ['delivery-report', 'mm3', 'MMR4DRq', 'unreachable', ''],
      ['read-report', 'mm1', 'MMO1R', 'read', 'read'],
      ['read-report', 'mm4', 'MMR4RRq', 'deleted-without-reading', 'deletedWithoutBeingRead'],
      ['read-report', 'mm7', 'MM7RRq', 'read', 'read'],
    ];
    for (const [type, iface, recordType, status, mmStatusCode] of cases) {
      const cdr = toCdr(ev(type, message(iface), recipient('local'), status), 'n');
      assert.equal(cdr.recordType, recordType, `${type} ${iface}`);
      assert.equal(cdr.status, status);
      assert.equal(cdr.mmStatusCode, mmStatusCode || undefined);
    }
  });

  it('a message-level record lists the online-charging sessions of its recipients, once each', () => {
    const stored = [recipient('local', { index: 0, charge: { chargingSessionId: 'ocs;1;7' } }), recipient('local', { charge: { chargingSessionId: 'ocs;1;7' } }), recipient('mm4', { index: 2 })];
    assert.deepEqual(toCdr(ev('submission', message('mm1')), 'n', stored).chargingSessionIds, ['ocs;1;7']);
    const line = toCsvLine({ ...toCdr(ev('submission', message('mm1')), 'n'), chargingSessionIds: ['ocs;1;7', 'ocs;1;8'] });
    assert.ok(line.trimEnd().endsWith(',ocs;1;7 ocs;1;8'), line);
  });

  it('an explicit charged party (MM7 ChargedParty) wins, in TS 32.298 words, on every record', () => {
    const m = message('mm7');
    m.origin.attributes = { ...m.origin.attributes, chargedParty: 'Recipient' };
    assert.equal(toCdr(ev('submission', m), 'n').chargedParty, 'recipient');
    assert.equal(toCdr(ev('retrieved', m, recipient('local')), 'n').chargedParty, 'recipient');
    const third = message('mm7');
    third.origin.attributes = {};
    third.headers.extra = { 'X-Mm7-Charged-Party': 'ThirdParty' };
    assert.equal(toCdr(ev('submission', third), 'n').chargedParty, 'thirdParty');
  });
});
