import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import {
  buildMessage,
  fastNotifyRetries,
  jobRetries,
  localSubscribers,
  notificationBuilder,
  restartableMmsc,
  serviceProvider,
  startAccountHarness,
  testPlugin,
  waitFor,
  whileRunning,
} from '../src/index.js';

/** A push bearer that fails every push until `working` is set: notify jobs go back for a retry. */
function flakyPushBearer() {
  const state = { working: false, pushed: 0 };
  const plugin = serviceProvider('flaky-push', 'PushBearer', () => ({
    name: 'flaky-push',
    push: async () => {
      if (!state.working) return { status: 'retry' as const, reason: 'not yet' };
      state.pushed++;
      return { status: 'sent' as const, reference: `p-${state.pushed}` };
    },
  }));
  return { plugin, state };
}

describe('restartableMmsc and jobRetries', () => {
  it('keeps the store across a restart, counts retries by kind, and removes the store at the end', async () => {
    const push = flakyPushBearer();
    let store = '';
    await whileRunning(restartableMmsc('openmmsc-testkit-restart-', { plugins: [localSubscribers(), notificationBuilder(), push.plugin], config: fastNotifyRetries }), async (node) => {
      store = node.store;
      await node.start();
      const r = await node.mmsc.submit({ message: buildMessage({ to: '+15550000002', text: 'kept' }), origin: { interface: 'api' } });
      assert.equal(r.status, 'accepted');
      await waitFor('a notify retry', async () => (await jobRetries(node.mmsc, 'notify')) > 0);
      assert.ok((await jobRetries(node.mmsc)) >= (await jobRetries(node.mmsc, 'notify')), 'any kind counts at least the notify retries');
      assert.equal(await jobRetries(node.mmsc, 'no-such-kind'), 0);
      await node.down();
      assert.throws(() => node.mmsc, /the node is down/);
      assert.ok(existsSync(store), 'the store outlives the node');

      push.state.working = true;
      await node.restart();
      assert.ok(await node.mmsc.getMessage(r.messageId), 'the message is still there');
      await waitFor('notified after the restart', () => push.state.pushed > 0);
    });
    assert.equal(existsSync(dirname(store)), false, 'stop() removed the store folder');
  });
});

describe('testPlugin and startAccountHarness', () => {
  it('a test plugin’s hooks run; the harness puts its account (with overrides and extras) into the plugin’s options', async () => {
    const seen: string[] = [];
    const receive = testPlugin('receive-spy', () => ({ receive: (ctx) => void seen.push(ctx.message.headers.subject?.text ?? '') }));
    let options: unknown;
    // The interface under test stands in as a plugin that keeps the options the harness gave it.
    const iface = testPlugin('accounts-spy', (ctx) => void (options = ctx.options));
    const peer = { url: 'http://127.0.0.1:9/peer', stopped: false, stop: async () => void (peer.stopped = true) };
    const h = await startAccountHarness(
      { peer: async () => peer, subscribers: localSubscribers(), plugin: iface, accountsOption: 'vasps', account: (p) => ({ id: 'acme', url: p.url }), jobs: {} },
      { account: { password: 'pw' }, accounts: (url) => [{ id: 'other', url }], plugin: { extra: true }, plugins: [receive] },
    );
    try {
      assert.deepEqual(options, {
        port: 0,
        vasps: [
          { id: 'acme', url: peer.url, password: 'pw' },
          { id: 'other', url: peer.url },
        ],
        extra: true,
      });
      const r = await h.t.mmsc.submit({ message: buildMessage({ to: '+15550000002', subject: 'spied' }), origin: { interface: 'api' } });
      assert.equal(r.status, 'accepted');
      assert.deepEqual(seen, ['spied']);
    } finally {
      await h.stop();
    }
    assert.equal(peer.stopped, true, 'the harness stops its peer');
  });
});
