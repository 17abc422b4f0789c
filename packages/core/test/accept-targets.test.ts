import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Resolution } from '@openmmsc/core';
import { buildMessage, recordingDeliverer, recordingPushBearer, startTestMmsc, testPlugin, waitFor } from '@openmmsc/testkit';

/** +1555… are our subscribers, +1666… belong to another operator's MMSC (MM4). */
function resolver(answer: (value: string, lookup: number) => Resolution) {
  let lookups = 0;
  return testPlugin('numbers', (ctx) => {
    ctx.provide('RoutingResolver', { name: 'numbers', resolve: async (address) => answer(address.value, ++lookups) });
  });
}
const byPrefix = (value: string): Resolution =>
  value.startsWith('+1555') ? { kind: 'route', route: { target: 'local' } } : { kind: 'route', route: { target: 'mm4', destination: 'mms.other.example' } };

const fastJobs = { deliver: { backoffBase: 20, backoffMax: 50, maxAttempts: 5 }, notify: { backoffBase: 20, backoffMax: 50 } };

describe('acceptTargets: an ingress reaches only the targets it names', () => {
  it('refuses a recipient routed elsewhere as service-denied, accepts the rest', async () => {
    const push = recordingPushBearer();
    const mm4 = recordingDeliverer('mm4');
    const t = await startTestMmsc({ config: { jobs: fastJobs }, plugins: [resolver(byPrefix), mm4.plugin, push.plugin] });
    try {
      const result = await t.mmsc.submit({
        message: buildMessage({ from: 'alice@mail.example', to: ['+15550000001', '+16660000001'] }),
        origin: { interface: 'mm3' },
        acceptTargets: ['local'],
      });
      assert.equal(result.status, 'accepted');
      assert.equal(result.recipients[0]!.status, 'accepted');
      const refused = result.recipients[1]!;
      assert.equal(refused.status, 'rejected');
      assert.equal(refused.status === 'rejected' && refused.reason.code, 'service-denied');
      assert.match(refused.status === 'rejected' ? refused.reason.message : '', /relaying denied/);
      await waitFor('the local subscriber is notified', () => push.pushes.length >= 1);
      const [, foreign] = await t.mmsc.getRecipients(result.messageId);
      assert.equal(foreign?.state, 'rejected');
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(mm4.delivered, [], 'nothing is relayed to the other network');
    } finally {
      await t.stop();
    }
  });

  it('refuses the whole message when no recipient is ours; without the option it is relayed as before', async () => {
    const mm4 = recordingDeliverer('mm4');
    const t = await startTestMmsc({ config: { jobs: fastJobs }, plugins: [resolver(byPrefix), mm4.plugin] });
    try {
      const refused = await t.mmsc.submit({ message: buildMessage({ to: '+16660000001' }), origin: { interface: 'mm3' }, acceptTargets: ['local'] });
      assert.equal(refused.status, 'rejected');
      assert.equal(refused.status === 'rejected' && refused.reason.code, 'service-denied');
      assert.equal(await t.mmsc.getMessage(refused.messageId), undefined, 'nothing stored');

      const widened = await t.mmsc.submit({ message: buildMessage({ to: '+16660000002' }), origin: { interface: 'mm3' }, acceptTargets: ['local', 'mm4'] });
      assert.equal(widened.status, 'accepted');
      const open = await t.mmsc.submit({ message: buildMessage({ to: '+16660000003' }), origin: { interface: 'api' } });
      assert.equal(open.status, 'accepted');
      await waitFor('both delivered over mm4', () => mm4.delivered.length >= 2);
      assert.deepEqual([...mm4.delivered].sort(), ['+16660000002', '+16660000003']);
    } finally {
      await t.stop();
    }
  });

  it('holds for a recipient routed again later (its lookup was deferred at submission)', async () => {
    const mm4 = recordingDeliverer('mm4');
    const flaky = resolver((value, lookup) =>
      lookup === 1 ? { kind: 'defer', reason: { code: 'network-problem', message: 'number portability lookup timed out' }, retryAfterMs: 30 } : byPrefix(value),
    );
    const t = await startTestMmsc({ config: { jobs: fastJobs }, plugins: [flaky, mm4.plugin] });
    try {
      const result = await t.mmsc.submit({ message: buildMessage({ to: '+16660000009' }), origin: { interface: 'mm4', peer: 'mms.peer.example' }, acceptTargets: ['local'] });
      assert.equal(result.status, 'accepted');
      assert.equal(result.recipients[0]!.status, 'deferred');
      const record = await waitFor('the re-routed recipient is refused', async () => {
        const [r] = await t.mmsc.getRecipients(result.messageId);
        return r?.state === 'rejected' && r;
      });
      assert.match(record.history.at(-1)?.reason ?? '', /relaying denied/);
      assert.deepEqual(mm4.delivered, []);
    } finally {
      await t.stop();
    }
  });
});
