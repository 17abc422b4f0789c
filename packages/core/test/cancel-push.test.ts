import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createMmsc, definePlugin, type NotifyContext, type PushRequest, type PushResult } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, routeAllTo, serviceProvider, startTestMmsc, testPlugin, waitFor } from '@openmmsc/testkit';
import { withLocalMmsc } from './helpers/local-mmsc.js';


/** A notify hook that, like MM1, builds bytes for every kind of notification it is given. */
function interfacePlugin(seen: NotifyContext[] = []) {
  return testPlugin('fake-interface', () => ({
    notify: (n) => {
      seen.push(n);
      n.pdu = Buffer.from(`${n.notification.kind}:${n.message.id}:${n.notification.replaces ?? ''}`);
    },
  }));
}

/** A push bearer that records requests and answers from a script. */
function scriptedBearer(answer: (r: PushRequest) => PushResult) {
  const pushes: PushRequest[] = [];
  const plugin = serviceProvider('scripted-push', 'PushBearer', () => ({ name: 'scripted-push', push: async (r) => (pushes.push(r), answer(r)) }));
  return { plugin, pushes };
}

const fastNotify = { jobs: { notify: { backoffBase: 20, backoffMax: 100, maxAttempts: 2, jitter: 0 } } };

describe('cancel reaches notified handsets', () => {
  it('pushes a cancel to a recipient notified but not yet fetched, records it in its history, and none to one never notified', async () => {
    const push = recordingPushBearer();
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), interfacePlugin(), push.plugin] });
    try {
      const later = new Date(Date.now() + 3_600_000);
      const now = await t.mmsc.submit({ message: buildMessage({ to: '+15550000002' }), origin: { interface: 'api' } });
      const held = buildMessage({ to: '+15550000003' });
      held.headers.deliveryTime = later;
      const notYet = await t.mmsc.submit({ message: held, origin: { interface: 'api' } });
      await waitFor('notified', async () => (await t.mmsc.getRecipients(now.messageId))[0]!.state === 'notified');
      await t.mmsc.cancel(now.messageId, { by: 'vasp', reason: 'cancelled by VASP v1' });
      await t.mmsc.cancel(notYet.messageId, { by: 'vasp' });
      const cancel = await waitFor('cancel pushed', () => push.pushes.find((p) => p.notification.kind === 'cancel'));
      assert.equal(cancel.to.value, '+15550000002');
      assert.equal(Buffer.from(cancel.pdu!).toString(), `cancel:${now.messageId}:`);
      const history = await waitFor('cancel-sent recorded', async () => {
        const r = (await t.mmsc.getRecipients(now.messageId))[0]!;
        return r.history.some((h) => h.event === 'cancel-sent') && r.history;
      });
      const last = history.at(-1)!;
      assert.equal(last.state, 'rejected', 'an event does not move the recipient');
      assert.equal(last.by, 'test-push');
      assert.match(last.reason ?? '', /reference push-2/);
      assert.equal(history.filter((h) => h.event === undefined && h.state === 'rejected').length, 1);
      await sleep(200);
      assert.equal(push.pushes.filter((p) => p.notification.kind === 'cancel').length, 1, 'a recipient never notified gets no cancel');
      assert.ok(!(await t.mmsc.getRecipients(notYet.messageId))[0]!.history.some((h) => h.event));
    } finally {
      await t.stop();
    }
  });

  it('a cancel that meets the notification on its way: the push lands as an event, then the handset is told the message is gone', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let pushing!: () => void;
    const underWay = new Promise<void>((resolve) => (pushing = resolve));
    const pushes: PushRequest[] = [];
    const plugin = serviceProvider('slow-push', 'PushBearer', () => ({
      name: 'slow-push',
      push: async (r: PushRequest): Promise<PushResult> => {
        pushes.push(r);
        if (r.notification.kind === 'message') {
          pushing();
          await gate;
        }
        return { status: 'sent', reference: `ref-${pushes.length}` };
      },
    }));
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), interfacePlugin(), plugin] });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550000002' }), origin: { interface: 'api' } });
      await underWay;
      const outcome = await t.mmsc.cancel(r.messageId, { by: 'vasp', reason: 'withdrawn' });
      assert.equal(outcome.cancelled, 1);
      release();
      const cancel = await waitFor('cancel pushed', () => pushes.find((p) => p.notification.kind === 'cancel'));
      assert.equal(cancel.to.value, '+15550000002');
      const history = await waitFor('cancel-sent recorded', async () => {
        const h = (await t.mmsc.getRecipients(r.messageId))[0]!.history;
        return h.some((e) => e.event === 'cancel-sent') && h;
      });
      const moves = history.filter((e) => !e.event);
      assert.deepEqual(moves.map((e) => e.state), ['received', 'routed', 'charged', 'rejected'], 'never notified: cancelled first');
      assert.equal(moves.at(-1)!.by, 'vasp');
      const pushed = history.find((e) => e.event === 'pushed');
      assert.match(pushed?.reason ?? '', /bearer reference ref-1; the message had been cancelled/);
      assert.ok(history.indexOf(pushed!) < history.findIndex((e) => e.event === 'cancel-sent'), 'the cancel follows the notification');
    } finally {
      release();
      await t.stop();
    }
  });

  it('records a cancel the bearer cannot carry as cancel-failed, and pushes nothing when no interface builds a cancel', async () => {
    const bearer = scriptedBearer((r) => (r.notification.kind === 'cancel' ? { status: 'failed', reason: 'unknown subscriber' } : { status: 'sent' }));
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), interfacePlugin(), bearer.plugin], config: fastNotify });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550000002' }), origin: { interface: 'api' } });
      await waitFor('notified', async () => (await t.mmsc.getRecipients(r.messageId))[0]!.state === 'notified');
      await t.mmsc.cancel(r.messageId, { by: 'vasp' });
      const failed = await waitFor('cancel-failed', async () => (await t.mmsc.getRecipients(r.messageId))[0]!.history.find((h) => h.event === 'cancel-failed'));
      assert.equal(failed.reason, 'unknown subscriber');
    } finally {
      await t.stop();
    }

    const plain = recordingPushBearer();
    const quiet = definePlugin({ name: 'old-interface', version: '0.0.0', apiVersion: '^1.0.0', setup: () => ({ notify: (n) => void (n.notification.kind === 'message' && (n.pdu = Buffer.from('n'))) }) });
    const t2 = await startTestMmsc({ plugins: [routeAllTo('local'), quiet, plain.plugin] });
    try {
      const r = await t2.mmsc.submit({ message: buildMessage({ to: '+15550000002' }), origin: { interface: 'api' } });
      await waitFor('notified', async () => (await t2.mmsc.getRecipients(r.messageId))[0]!.state === 'notified');
      await t2.mmsc.cancel(r.messageId, { by: 'vasp' });
      await sleep(300);
      assert.deepEqual(plain.pushes.map((p) => p.notification.kind), ['message']);
    } finally {
      await t2.stop();
    }
  });

  it('notifies an already notified handset again after a replace, naming the message it replaces', async () => {
    const push = recordingPushBearer();
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), interfacePlugin(), push.plugin] });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550000002', subject: 'old' }), origin: { interface: 'api' } });
      await waitFor('notified', async () => (await t.mmsc.getRecipients(r.messageId))[0]!.state === 'notified');
      await t.mmsc.replace(r.messageId, { headers: { subject: { text: 'new' } } });
      const again = await waitFor('second notification', () => push.pushes[1]);
      assert.equal(again.notification.kind, 'message');
      assert.equal(again.notification.replaces, r.messageId);
      assert.equal(again.notification.subject?.text, 'new');
      assert.equal(push.pushes[0]!.notification.replaces, undefined);
    } finally {
      await t.stop();
    }
  });

  it('recordEvent appends to the history of a recipient in a final state without moving it', async () => {
    await withLocalMmsc(async (t) => {
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550000002' }), origin: { interface: 'api' } });
      await t.mmsc.transition(r.messageId, 0, 'rejected', { by: 'test' });
      const after = await t.mmsc.recordEvent(r.messageId, 0, { by: 'handset-plugin', event: 'cancel-confirmed', reason: 'X-Mms-Cancel-Status: 0x80' });
      assert.equal(after.state, 'rejected');
      assert.deepEqual(after.history.at(-1), { state: 'rejected', at: after.history.at(-1)!.at, by: 'handset-plugin', event: 'cancel-confirmed', reason: 'X-Mms-Cancel-Status: 0x80', node: t.mmsc.config.node.id });
      await assert.rejects(t.mmsc.recordEvent(r.messageId, 9, { by: 'x', event: 'y' }));
    });
  });
});

describe('kept messages (MMBox copies)', () => {
  it('keeps a message for nobody, readable like any other, purged at its own expiry; discard deletes it now', async () => {
    await withLocalMmsc(async (t, push) => {
      const source = buildMessage({ to: '+15550000002', subject: 'kept', text: 'box copy' });
      source.headers.messageId = 'original-id';
      const kept = await t.mmsc.keep({ message: source, origin: { interface: 'mm1', peer: '+15550000002' }, expiresAt: Date.now() + 600, attributes: { owner: '+15550000002' } });
      assert.notEqual(kept.id, 'original-id');
      assert.equal(kept.headers.messageId, 'original-id', 'the copy keeps the Message-ID of what it copies');
      assert.equal((await t.mmsc.getMessage(kept.id))?.attributes.owner, '+15550000002');
      assert.equal(Buffer.from((await t.mmsc.getParts(kept.id))![0]!.data).toString(), 'box copy');
      assert.deepEqual(await t.mmsc.getRecipients(kept.id), []);
      await sleep(100);
      assert.equal(push.pushes.length, 0, 'a kept message notifies nobody');
      await waitFor('purged at its expiry', async () => (await t.mmsc.getMessage(kept.id)) === undefined, { timeoutMs: 5000 });

      const other = await t.mmsc.keep({ message: buildMessage({ text: 'gone soon' }), origin: { interface: 'mm1' }, expiresAt: Date.now() + 3_600_000 });
      assert.equal(other.headers.messageId, other.id);
      assert.equal(await t.mmsc.discard(other.id), true);
      assert.equal(await t.mmsc.getMessage(other.id), undefined);
      assert.equal(await t.mmsc.discard(other.id), false);
      assert.equal(await t.mmsc.queue.job(`purge:${other.id}`), undefined, 'the purge job goes with it');

      const sent = await t.mmsc.submit({ message: buildMessage({ to: '+15550000002' }), origin: { interface: 'api' } });
      await assert.rejects(t.mmsc.discard(sent.messageId), /only messages stored with keep/);
    });
  });

  it('a kept message survives a restart and is still purged on time afterwards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-keep-'));
    const config = { store: { type: 'sqlite' as const, path: join(dir, 'store.sqlite') }, admin: { enabled: false }, log: { level: 'silent' as const } };
    try {
      const first = await createMmsc({ config, baseDir: dir, plugins: [routeAllTo('local'), recordingPushBearer().plugin] });
      const kept = await first.keep({ message: buildMessage({ text: 'after restart' }), origin: { interface: 'mm1' }, expiresAt: Date.now() + 1500 });
      await first.stop();
      const second = await createMmsc({ config, baseDir: dir, plugins: [routeAllTo('local'), recordingPushBearer().plugin] });
      try {
        assert.equal(Buffer.from((await second.getParts(kept.id))![0]!.data).toString(), 'after restart');
        await waitFor('purged after the restart', async () => (await second.getMessage(kept.id)) === undefined, { timeoutMs: 6000 });
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
