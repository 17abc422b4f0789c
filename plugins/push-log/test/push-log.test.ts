import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FINAL_STATES, parseAddress, type PushRequest } from '@openmmsc/core';
import { buildMessage, localSubscribers, notificationBuilder, startTestMmsc, waitFor } from '@openmmsc/testkit';
import pino from 'pino';
import pushLog, { logBearer, type LoggedNotification } from '../src/index.js';

const request: PushRequest = {
  to: parseAddress('+15550000001'),
  notification: {
    kind: 'message',
    messageId: 'm-1',
    recipient: parseAddress('+15550000001'),
    size: 1234,
    expiry: new Date('2030-01-01T00:00:00Z'),
  },
};

describe('push-log: a push bearer that logs instead of sending', () => {
  it('appends each notification as one JSON line to its file (relative to the config file) and answers sent', async () => {
    const t = await startTestMmsc({ plugins: [localSubscribers(), notificationBuilder(), { plugin: pushLog, options: { file: 'pushes.jsonl' } }] });
    try {
      const first = await t.mmsc.submit({ message: buildMessage({ from: '+15550000009', to: '+15550000001', subject: 'Hello' }), origin: { interface: 'api' } });
      const second = await t.mmsc.submit({ message: buildMessage({ to: '+15550000002' }), origin: { interface: 'api' } });
      for (const id of [first.messageId, second.messageId]) {
        await waitFor(`${id} notified`, async () => (await t.mmsc.getRecipients(id))[0]?.state === 'notified');
      }
      const lines = (await readFile(join(t.dir, 'pushes.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as LoggedNotification);
      assert.equal(lines.length, 2);
      const one = lines.find((l) => l.messageId === first.messageId)!;
      assert.equal(one.to, '+15550000001/TYPE=PLMN', 'addresses in MMS form');
      assert.equal(one.from, '+15550000009/TYPE=PLMN');
      assert.equal(one.subject, 'Hello');
      assert.equal(one.kind, 'message');
      assert.equal(one.contentLocation, `http://mmsc.test/m/${first.messageId}`);
      assert.ok(one.pduBytes! > 20, 'the size of the WAP Push it would have sent');
      assert.ok(!Number.isNaN(Date.parse(one.at)) && !Number.isNaN(Date.parse(one.expiry)));
    } finally {
      await t.stop();
    }
  });

  it('counts its references and logs one line per notification', async () => {
    const logged: unknown[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const bearer = logBearer({ name: 'log', fail: 'never', log, clock: { now: () => Date.parse('2026-01-02T03:04:05Z') } });
    assert.deepEqual(await bearer.push(request), { status: 'sent', reference: 'log-1' });
    assert.deepEqual(await bearer.push(request), { status: 'sent', reference: 'log-2' });
    assert.equal(logged.length, 2);
    assert.match((logged[0] as { msg: string }).msg, /^notification for \+15550000001\/TYPE=PLMN: message m-1 \(1234 bytes\)$/);
    assert.equal((logged[0] as LoggedNotification).at, '2026-01-02T03:04:05.000Z');
  });

  it('fails on demand, for tests and demos: retry or for good', async () => {
    const log = pino({ level: 'silent' });
    const clock = { now: () => 0 };
    assert.deepEqual(await logBearer({ name: 'log', fail: 'always-retry', log, clock }).push(request), { status: 'retry', reason: 'configured to retry' });
    assert.deepEqual(await logBearer({ name: 'log', fail: 'always-fail', log, clock }).push(request), { status: 'failed', reason: 'configured to fail' });
  });

  it('a recipient whose push always fails is not left notified', async () => {
    const t = await startTestMmsc({
      plugins: [localSubscribers(), notificationBuilder(), { plugin: pushLog, options: { fail: 'always-fail' } }],
    });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550000001' }), origin: { interface: 'api' } });
      const final = await waitFor('the recipient settled', async () => {
        const rec = (await t.mmsc.getRecipients(r.messageId))[0];
        return rec && FINAL_STATES.has(rec.state) ? rec : undefined;
      });
      assert.equal(final.state, 'rejected');
    } finally {
      await t.stop();
    }
  });
});
