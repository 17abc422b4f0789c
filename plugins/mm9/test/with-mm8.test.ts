import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startSimulatedOcs, buildMessage, type SimulatedOcs, type TestMmsc, suiteFixture } from '@openmmsc/testkit';
import mm8, { type Cdr } from '@openmmsc/plugin-mm8';
import { startWithMm9, SENDER } from './helpers.js';

const mm8Entry = { plugin: mm8, options: { writers: [{ type: 'file', format: 'jsonl', directory: 'cdr', sync: 'record' }] } };

/** The CDRs MM8 has written so far (its live file included). */
async function cdrs(t: TestMmsc): Promise<Cdr[]> {
  const dir = join(t.dir, 'cdr');
  const files = await readdir(dir);
  const text = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Cdr);
}

describe('MM8 and MM9 in one MMSC: the Session-Id the OCS saw is in the CDRs', () => {
  const ocs = suiteFixture(() => startSimulatedOcs({ balances: { [SENDER]: 10 } }));

  it('event charging: the submission CDR carries the debit’s Session-Id', async () => {
    const t = await startWithMm9({ peers: [{ port: ocs.port }] }, [mm8Entry]);
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ from: `+${SENDER}`, to: ['+15550000002', '+15550000003'] }), origin: { interface: 'mm1' } });
      assert.equal(r.status, 'accepted');
      const ccr = ocs.ccrs().at(-1)!;
      assert.equal(ccr.requestType, 4);
      assert.ok(ccr.sessionId, 'the OCS saw a Session-Id');
      const submission = (await cdrs(t)).find((c) => c.event === 'submission' && c.messageID === r.messageId)!;
      assert.equal(submission.recordType, 'MMO1S');
      assert.deepEqual(submission.chargingSessionIds, [ccr.sessionId], 'one debit for the message, one Session-Id');
    } finally {
      await t.stop();
    }
  });

  it('session charging: the submission CDR lists each recipient’s reservation, recipient CDRs their own', async () => {
    const t = await startWithMm9({ peers: [{ port: ocs.port }], mode: 'session' }, [mm8Entry]);
    try {
      const before = ocs.ccrs().length;
      const r = await t.mmsc.submit({ message: buildMessage({ from: `+${SENDER}`, to: ['+15550000002', '+15550000003'] }), origin: { interface: 'mm7', attributes: { vaspId: 'vasp-1' } } });
      assert.equal(r.status, 'accepted');
      const initial = ocs.ccrs().slice(before).filter((c) => c.requestType === 1);
      assert.equal(initial.length, 2);
      const recipients = await t.mmsc.getRecipients(r.messageId);
      const sessionOf = (index: number) => initial.find((c) => c.sessionId === recipients[index]!.charge?.chargingSessionId)?.sessionId;
      assert.ok(sessionOf(0) && sessionOf(1) && sessionOf(0) !== sessionOf(1));

      if ((await t.mmsc.getRecipients(r.messageId))[0]!.state === 'charged') await t.mmsc.transition(r.messageId, 0, 'notified', { by: 'test' });
      await t.mmsc.transition(r.messageId, 0, 'retrieved', { by: 'test' });
      const written = await cdrs(t);
      const submission = written.find((c) => c.event === 'submission' && c.messageID === r.messageId)!;
      assert.equal(submission.recordType, 'MM7S');
      assert.deepEqual([...submission.chargingSessionIds!].sort(), initial.map((c) => c.sessionId).sort());
      const retrieved = written.find((c) => c.event === 'retrieved' && c.messageID === r.messageId)!;
      assert.deepEqual(retrieved.chargingSessionIds, [sessionOf(0)]);
    } finally {
      await t.stop();
    }
  });
});
