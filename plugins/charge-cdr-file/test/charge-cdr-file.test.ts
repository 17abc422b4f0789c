import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { definePlugin, type PluginInput } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import cdrFile, { type Cdr } from '../src/index.js';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** +1555… are our handsets; anything else goes to another operator over MM4 (no MM4 plugin here). */
const routes = definePlugin({
  name: 'test-routes',
  version: '0',
  apiVersion: '^1.0.0',
  setup(ctx) {
    ctx.provide('RoutingResolver', {
      name: 'test-routes',
      resolve: async (a) => ({ kind: 'route', route: a.value.startsWith('+1555') ? { target: 'local' } : { target: 'mm4', destination: 'mms.other.net' } }),
    });
  },
});

async function start(extra: PluginInput[] = [], options: Record<string, unknown> = {}): Promise<TestMmsc> {
  return startTestMmsc({ plugins: [routes, recordingPushBearer().plugin, ...extra, { plugin: cdrFile, options: { path: 'cdr/records.jsonl', ...options } }] });
}

async function lines(t: TestMmsc): Promise<Cdr[]> {
  const text = await readFile(join(t.dir, 'cdr', 'records.jsonl'), 'utf8');
  assert.ok(text.endsWith('\n'), 'whole lines only');
  return text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Cdr);
}

describe('charge-cdr-file', () => {
  it('writes one JSON line per event with the TS 32.298 record type of the event and interface', async () => {
    const t = await start();
    try {
      const p2p = await t.mmsc.submit({ message: buildMessage({ from: '+15550000001', to: ['+15550000002', '+4930123456'] }), origin: { interface: 'mm1' } });
      const vasp = await t.mmsc.submit({ message: buildMessage({ from: '1234', to: '+15550000002' }), origin: { interface: 'mm7', attributes: { vaspId: 'vasp-1' } } });
      const peer = await t.mmsc.submit({ message: buildMessage({ from: '+4930999', to: '+15550000003' }), origin: { interface: 'mm4', peer: 'mms.other.net' } });
      for (const r of [p2p, vasp, peer]) assert.equal(r.status, 'accepted');
      // The local handset is notified, fetches and acknowledges; nothing delivers to MM4 here, so
      // that recipient is rejected by the deliver job.
      await waitFor('notification', async () => (await t.mmsc.getRecipients(p2p.messageId))[0]!.state === 'notified');
      await t.mmsc.transition(p2p.messageId, 0, 'retrieved', { by: 'test' });
      await t.mmsc.transition(p2p.messageId, 0, 'delivered', { by: 'test' });
      await waitFor('MM4 recipient rejected', async () => (await t.mmsc.getRecipients(p2p.messageId))[1]!.state === 'rejected');

      const cdrs = await lines(t);
      const of = (messageId: string) => cdrs.filter((c) => c.messageID === messageId).map((c) => `${c.event}:${c.recordType}:${c.recipientIndex ?? '-'}`);
      assert.deepEqual(of(p2p.messageId).sort(), ['delivered:MMR1A:0', 'notified:MMR1NRq:0', 'recipient-rejected:MMOMD:1', 'retrieved:MMR1Rt:0', 'submission:MMO1S:-']);
      assert.ok(of(vasp.messageId).includes('submission:MM7S:-'));
      assert.ok(of(peer.messageId).includes('submission:MMR4F:-'));

      const sub = cdrs.find((c) => c.messageID === vasp.messageId && c.event === 'submission')!;
      assert.equal(sub.vaspID, 'vasp-1');
      assert.equal(sub.originatorInterface, 'mm7');
      assert.equal(sub.originatorAddress, '1234');
      assert.ok(!Number.isNaN(Date.parse(sub.recordTimeStamp)));
      for (const c of cdrs) assert.match(c.cdrId, UUID_V5);
      assert.equal(new Set(cdrs.map((c) => c.cdrId)).size, cdrs.length, 'each event its own id');
    } finally {
      await t.stop();
    }
  });

  it('an event recorded again (a job re-run after a crash) gets the same id, so the billing system drops it', async () => {
    const t = await start();
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ from: '+15550000001', to: '+15550000002' }), origin: { interface: 'mm1' } });
      await waitFor('notification', async () => (await t.mmsc.getRecipients(r.messageId))[0]!.state === 'notified');
      // What a notify job re-run after kill -9 does: notify again, move notified → notified.
      await t.mmsc.transition(r.messageId, 0, 'notified', { by: 'test-push' });
      await t.mmsc.transition(r.messageId, 0, 'retrieved', { by: 'test' });
      const cdrs = (await lines(t)).filter((c) => c.messageID === r.messageId);
      const notified = cdrs.filter((c) => c.event === 'notified');
      assert.equal(notified.length, 2);
      assert.equal(notified[0]!.cdrId, notified[1]!.cdrId);
      const retrieved = cdrs.find((c) => c.event === 'retrieved')!;
      assert.notEqual(retrieved.cdrId, notified[0]!.cdrId);
    } finally {
      await t.stop();
    }
  });

  it('records only the events it is configured for', async () => {
    const t = await start([], { events: ['submission', 'retrieved'] });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ from: '+15550000001', to: '+15550000002' }), origin: { interface: 'mm1' } });
      await waitFor('notification', async () => (await t.mmsc.getRecipients(r.messageId))[0]!.state === 'notified');
      await t.mmsc.transition(r.messageId, 0, 'retrieved', { by: 'test' });
      await waitFor('two records', async () => (await lines(t).catch(() => [])).length === 2);
      assert.deepEqual(
        (await lines(t)).map((c) => c.event),
        ['submission', 'retrieved'],
      );
    } finally {
      await t.stop();
    }
  });

  it('is not ready, and says why, when its file cannot be opened', async () => {
    const blocked = await startTestMmsc({
      plugins: [routes, recordingPushBearer().plugin, { plugin: cdrFile, options: { path: '/dev/null/cdr.jsonl' } }],
    });
    try {
      const ready = await fetch(`${blocked.mmsc.adminUrl}/ready`);
      assert.equal(ready.status, 503);
      const body = (await ready.json()) as { checks: Record<string, unknown> };
      assert.match(JSON.stringify(body.checks), /cannot open \/dev\/null\/cdr\.jsonl/);
    } finally {
      await blocked.stop();
    }
  });
});
