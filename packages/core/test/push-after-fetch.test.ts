import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Mmsc, PushResult } from '@openmmsc/core';
import { buildMessage, startTestMmsc, testPlugin, waitFor } from '@openmmsc/testkit';

/**
 * A handset can fetch before the SMSC has answered the push (the SMSC delivers the SMS first, or
 * its answer is slow). The recipient has moved on by the time the bearer reports `sent`; the push
 * and the SMSC's reference must still reach the history, where the operator looks for them.
 */
describe('a push answered after the handset fetched', () => {
  it('is recorded as a pushed event with the bearer reference, and the job ends without a retry', async () => {
    let mmsc: Mmsc | undefined;
    let messageId!: (id: string) => void;
    const submitted = new Promise<string>((resolve) => (messageId = resolve));
    let pushes = 0;
    const plugin = testPlugin('quick-handset', (ctx) => {
      ctx.provide('PushBearer', {
        name: 'slow-smsc',
        push: async (): Promise<PushResult> => {
          pushes++;
          const id = await submitted;
          // The handset fetches while the SMSC's answer is still on its way.
          await mmsc!.transition(id, 0, 'notified', { by: 'handset', reason: 'fetched before the notification was recorded' });
          await mmsc!.transition(id, 0, 'retrieved', { by: 'handset' });
          return { status: 'sent', reference: 'smsc-4711' };
        },
      });
      return {
        route: (m) => {
          for (const r of m.recipients) m.route(r, { target: 'local' });
        },
      };
    });
    const t = await startTestMmsc({ plugins: [plugin] });
    mmsc = t.mmsc;
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550001234' }), origin: { interface: 'api' } });
      assert.equal(r.status, 'accepted');
      messageId(r.messageId);
      const pushed = async () => (await t.mmsc.getRecipients(r.messageId))[0]!.history.find((e) => e.event === 'pushed');
      await waitFor('push recorded', async () => (await pushed()) !== undefined);
      const entry = (await pushed())!;
      assert.equal(entry.by, 'slow-smsc');
      assert.equal(entry.state, 'retrieved', 'the push does not move the recipient back');
      assert.match(entry.reason ?? '', /bearer reference smsc-4711; the handset had fetched already/);
      const recipient = (await t.mmsc.getRecipients(r.messageId))[0]!;
      assert.equal(recipient.attributes.pushReference, 'smsc-4711');
      assert.deepEqual(recipient.history.filter((e) => !e.event).map((e) => e.state), ['received', 'routed', 'charged', 'notified', 'retrieved']);
      await waitFor('notify job done', async () => (await t.mmsc.queue.job(`notify:${r.messageId}:0`))?.state !== 'running');
      const job = await t.mmsc.queue.job(`notify:${r.messageId}:0`);
      assert.ok(job === undefined || job.state === 'completed', `the notify job ended: ${job?.state} ${job?.lastError ?? ''}`);
      assert.equal(pushes, 1, 'pushed once, not retried');
    } finally {
      await t.stop();
    }
  });

  it('a fetch while the push is on its way passes through notified in the same write; the push then lands as an event', async () => {
    let answer!: () => void;
    const smscAnswers = new Promise<void>((resolve) => (answer = resolve));
    let pushing!: () => void;
    const pushStarted = new Promise<void>((resolve) => (pushing = resolve));
    const plugin = testPlugin('slow-smsc-2', (ctx) => {
      ctx.provide('PushBearer', {
        name: 'slow-smsc',
        push: async (): Promise<PushResult> => {
          pushing();
          await smscAnswers;
          return { status: 'sent', reference: 'smsc-99' };
        },
      });
      return {
        route: (m) => {
          for (const r of m.recipients) m.route(r, { target: 'local' });
        },
      };
    });
    const t = await startTestMmsc({ plugins: [plugin] });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550001234' }), origin: { interface: 'api' } });
      await pushStarted;
      assert.equal((await t.mmsc.getRecipients(r.messageId))[0]!.state, 'charged');
      // Without `via` a fetch now is refused: charged cannot move to retrieved.
      await assert.rejects(t.mmsc.transition(r.messageId, 0, 'retrieved', { by: 'handset' }), /cannot move from charged to retrieved/);
      const moved = await t.mmsc.transition(r.messageId, 0, 'retrieved', { by: 'handset', via: { state: 'notified', reason: 'fetched before the notification was recorded' } });
      assert.equal(moved.state, 'retrieved');
      assert.deepEqual(
        moved.history.slice(-2).map((e) => [e.state, e.by, e.reason]),
        [
          ['notified', 'handset', 'fetched before the notification was recorded'],
          ['retrieved', 'handset', undefined],
        ],
      );
      answer();
      const pushed = async () => (await t.mmsc.getRecipients(r.messageId))[0]!.history.find((e) => e.event === 'pushed');
      await waitFor('push recorded', async () => (await pushed()) !== undefined);
      const recipient = (await t.mmsc.getRecipients(r.messageId))[0]!;
      assert.equal(recipient.state, 'retrieved');
      assert.equal(recipient.attributes.pushReference, 'smsc-99');
      assert.equal(recipient.history.filter((e) => e.state === 'notified' && !e.event).length, 1, 'notified once, by the fetch');
      // No renotification is scheduled for a handset that has fetched.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await t.mmsc.queue.job(`notify:${r.messageId}:0:r1`), undefined);
    } finally {
      await t.stop();
    }
  });
});
