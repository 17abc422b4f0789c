import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { requireSystem } from '@openmmsc/testkit/system';
import {
  CDR_RECORD_TYPES,
  cdrId,
  cdrMessageClass,
  cdrMmStatusCode,
  cdrRecordType,
  type ChargingEvent,
  type RecipientRecord,
  type RecipientState,
  type StateChange,
  type StoredMessage,
} from '@openmmsc/core';

// TS 32.298 GenericChargingDataTypes `RecordType`, values 30..62 ("MMS specific"), as the
// specification lists them (it spells 42 `mMR1AFRecord`; the MMSRecordType CHOICE names it
// `mMR1ARecord` / `MMR1ARecord`).
const SPEC = `mMO1SRecord (30) mMO4FRqRecord (31) mMO4FRsRecord (32) mMO4DRecord (33) mMO1DRecord (34)
mMO4RRecord (35) mMO1RRecord (36) mMOMDRecord (37) mMR4FRecord (38) mMR1NRqRecord (39) mMR1NRsRecord (40)
mMR1RtRecord (41) mMR1ARecord (42) mMR4DRqRecord (43) mMR4DRsRecord (44) mMR1RRRecord (45) mMR4RRqRecord (46)
mMR4RRsRecord (47) mMRMDRecord (48) mMFRecord (49) mMBx1SRecord (50) mMBx1VRecord (51) mMBx1URecord (52)
mMBx1DRecord (53) mM7SRecord (54) mM7DRqRecord (55) mM7DRsRecord (56) mM7CRecord (57) mM7RRecord (58)
mM7DRRqRecord (59) mM7DRRsRecord (60) mM7RRqRecord (61) mM7RRsRecord (62)`;

function message(iface: string, id = 'msg-1'): StoredMessage {
  return {
    id,
    headers: { from: { type: 'plmn', value: '+15550000001' }, to: [], cc: [], bcc: [], contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} } },
    origin: { interface: iface },
    receivedAt: 0,
    expiresAt: 1,
    size: 10,
    partCount: 1,
    recipientCount: 1,
    attributes: {},
  };
}

function recipient(target: string, states: RecipientState[], index = 0): RecipientRecord {
  const history: StateChange[] = (['received', 'routed', 'charged', ...states] as RecipientState[]).map((state, at) => ({ state, at, by: 'test' }));
  return { index, address: { type: 'plmn', value: '+15550000002' }, kind: 'to', state: history.at(-1)!.state, history, route: { target, by: 'test' }, attributes: {} };
}

function ev(type: ChargingEvent['type'], iface: string, r?: RecipientRecord, status?: string, at = 5): ChargingEvent {
  return { type, at, message: message(iface), ...(r ? { recipient: r } : {}), ...(status ? { status } : {}) };
}

describe('TS 32.298 CDR vocabulary', () => {
  it('is exactly the MMS record types of TS 32.298, with their RecordType values', () => {
    const spec = [...SPEC.matchAll(/m(M\w+?)Record \((\d+)\)/g)].map(([, name, value]) => [`M${name}`, Number(value)]);
    assert.equal(spec.length, 33);
    assert.deepEqual(Object.entries(CDR_RECORD_TYPES), spec);
  });

  it('maps each event and interface to its record type', () => {
    const cases: Array<[ChargingEvent['type'], string, string | undefined, RecipientState[], string]> = [
      ['submission', 'mm1', undefined, [], 'MMO1S'],
      ['submission', 'api', undefined, [], 'MMO1S'],
      ['submission', 'mm7', undefined, [], 'MM7S'],
      ['submission', 'mm4', undefined, [], 'MMR4F'],
      ['submission', 'mm3', undefined, [], 'MMR4F'],
      ['notified', 'mm4', 'local', ['notified'], 'MMR1NRq'],
      ['retrieved', 'mm1', 'local', ['notified', 'retrieved'], 'MMR1Rt'],
      ['delivered', 'mm1', 'local', ['notified', 'retrieved', 'delivered'], 'MMR1A'],
      ['forwarded', 'mm1', 'local', ['notified', 'forwarded'], 'MMF'],
      ['forwarded', 'mm1', 'mm4', ['forwarded'], 'MMO4FRq'],
      ['delivered', 'mm1', 'mm4', ['forwarded', 'delivered'], 'MMO4D'],
      ['delivered', 'mm1', 'mm4', ['delivered'], 'MMO4FRq'],
      ['delivered', 'mm1', 'mm3', ['delivered'], 'MMO4FRq'],
      ['delivered', 'mm1', 'mm7', ['delivered'], 'MM7DRq'],
      ['delivered', 'mm1', 'mm7', ['forwarded', 'delivered'], 'MM7DRs'],
      ['expired', 'mm1', 'local', ['notified', 'expired'], 'MMRMD'],
      ['expired', 'mm1', 'mm4', ['expired'], 'MMOMD'],
      ['recipient-rejected', 'mm4', 'local', ['rejected'], 'MMRMD'],
      ['recipient-rejected', 'mm1', 'mm7', ['rejected'], 'MMOMD'],
      ['delivery-report', 'mm1', 'local', ['delivered'], 'MMO1D'],
      ['delivery-report', 'mm4', 'local', ['delivered'], 'MMR4DRq'],
      ['delivery-report', 'mm7', 'local', ['delivered'], 'MM7DRRq'],
      ['read-report', 'mm1', 'local', ['delivered'], 'MMO1R'],
      ['read-report', 'mm4', 'local', ['delivered'], 'MMR4RRq'],
      ['read-report', 'mm7', 'local', ['delivered'], 'MM7RRq'],
    ];
    for (const [type, iface, target, states, expected] of cases) {
      const type_ = cdrRecordType(ev(type, iface, target ? recipient(target, states) : undefined));
      assert.equal(type_, expected, `${type} from ${iface} to ${target}`);
      assert.ok(type_ in CDR_RECORD_TYPES);
    }
  });

  it('names statuses and message classes as TS 32.298 does', () => {
    assert.equal(cdrMmStatusCode(ev('read-report', 'mm1', recipient('local', ['delivered']), 'deleted-without-reading')), 'deletedWithoutBeingRead');
    assert.equal(cdrMmStatusCode(ev('delivery-report', 'mm1', recipient('local', ['delivered']), 'indeterminate')), undefined);
    assert.equal(cdrMmStatusCode(ev('recipient-rejected', 'mm1', recipient('local', ['rejected']))), 'rejected');
    assert.equal(cdrMmStatusCode(ev('delivered', 'mm1', recipient('mm4', ['delivered']))), undefined, 'a hand-over has no MM status yet');
    assert.equal(cdrMmStatusCode(ev('submission', 'mm1')), undefined);
    assert.equal(cdrMessageClass('informational'), 'information-service');
    assert.equal(cdrMessageClass('auto'), 'auto');
  });
});

describe('CDR ids', () => {
  it('are the same for the same event written again, at another time, after the state repeated', () => {
    const first = ev('notified', 'mm1', recipient('local', ['notified']), undefined, 100);
    // A notify job re-run after a crash notifies again: notified → notified.
    const again = ev('notified', 'mm1', recipient('local', ['notified', 'notified']), undefined, 900);
    assert.equal(cdrId(first), cdrId(again));
    assert.equal(cdrId(ev('submission', 'mm1', undefined, undefined, 1)), cdrId(ev('submission', 'mm1', undefined, undefined, 2)));
    const report = (status: string) => cdrId(ev('delivery-report', 'mm1', recipient('local', ['forwarded']), status));
    assert.equal(report('retrieved'), report('retrieved'));
  });

  it('differ between events, recipients, messages and report statuses', () => {
    const ids = [
      cdrId(ev('submission', 'mm1')),
      cdrId(ev('notified', 'mm1', recipient('local', ['notified']))),
      cdrId(ev('notified', 'mm1', recipient('local', ['notified'], 1))),
      cdrId(ev('retrieved', 'mm1', recipient('local', ['notified', 'retrieved']))),
      cdrId(ev('delivered', 'mm1', recipient('local', ['notified', 'retrieved', 'delivered']))),
      cdrId(ev('delivery-report', 'mm1', recipient('local', ['forwarded']), 'forwarded')),
      cdrId(ev('delivery-report', 'mm1', recipient('local', ['forwarded']), 'retrieved')),
      cdrId(ev('read-report', 'mm1', recipient('local', ['delivered']), 'read')),
      cdrId({ ...ev('submission', 'mm1'), message: message('mm1', 'msg-2') }),
    ];
    assert.equal(new Set(ids).size, ids.length);
  });

  it('are RFC 9562 version-5 UUIDs that anyone can recompute (checked with Python’s uuid.uuid5)', { skip: requireSystem('python3') }, () => {
    const event = ev('retrieved', 'mm1', recipient('local', ['notified', 'retrieved']));
    const id = cdrId(event);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const name = JSON.stringify(['msg-1', 0, 'MMR1Rt', 4]);
    const py = spawnSync('python3', ['-c', 'import sys, uuid; print(uuid.uuid5(uuid.UUID(sys.argv[1]), sys.argv[2]))', '76806484-95d8-4838-9732-910b49af7ce1', name], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    assert.equal(py.stdout.trim(), id);
  });
});
