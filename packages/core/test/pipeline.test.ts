import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verdict, type DeliveryResult, type MessageHook } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, recordingReportSender, routeAllTo, serviceProvider, startTestMmsc, testPlugin, waitFor } from '@openmmsc/testkit';

function deliverer(target: string, answer: (attempt: number) => DeliveryResult) {
  const calls: number[] = [];
  const plugin = testPlugin(`deliver-${target}`, (ctx) => {
    ctx.provide('Deliverer', {
      target,
      deliver: async ({ attempt }) => {
        calls.push(attempt);
        return answer(attempt);
      },
    });
  });
  return { plugin, calls };
}

const fastJobs = {
  notify: { backoffBase: 20, backoffMax: 50, maxAttempts: 3 },
  deliver: { backoffBase: 20, backoffMax: 50, maxAttempts: 3 },
  report: { backoffBase: 20, backoffMax: 50 },
};

describe('pipeline', () => {
  it('runs the stages in order and then notifies local and delivers remote recipients', async () => {
    const calls: string[] = [];
    const trace = (stage: string): MessageHook => (ctx) => {
      calls.push(`${stage}:${ctx.recipients.length}`);
    };
    const tracer = testPlugin('tracer', () => ({
      receive: trace('receive'),
      route: (ctx) => {
        calls.push(`route:${ctx.recipients.length}`);
        for (const r of ctx.recipients) ctx.route(r, { target: r.address.value.endsWith('2') ? 'local' : 'remote' });
      },
      transcode: trace('transcode'),
      charge: trace('charge'),
      store: trace('store'),
      notify: (ctx) => {
        calls.push('notify');
        ctx.notification.contentLocation = `http://mmsc.test/${ctx.message.id}`;
      },
      deliver: () => {
        calls.push('deliver');
      },
    }));
    const push = recordingPushBearer();
    const remote = deliverer('remote', () => ({ status: 'delivered', reference: 'r-1' }));
    const t = await startTestMmsc({ plugins: [tracer, push.plugin, remote.plugin] });
    try {
      const result = await t.mmsc.submit({
        message: buildMessage({ to: ['+15550000002', '+15550000003'] }),
        origin: { interface: 'api' },
      });
      assert.equal(result.status, 'accepted');
      assert.deepEqual(calls.slice(0, 5), ['receive:2', 'route:2', 'transcode:2', 'charge:2', 'store:2']);
      await waitFor('both recipients final or notified', async () => {
        const rs = await t.mmsc.getRecipients(result.messageId);
        return rs[0]?.state === 'notified' && rs[1]?.state === 'delivered';
      });
      assert.deepEqual(calls.slice(5).sort(), ['deliver', 'notify']);
      assert.equal(push.pushes[0]?.notification.contentLocation, `http://mmsc.test/${result.messageId}`);
      const [local, far] = await t.mmsc.getRecipients(result.messageId);
      assert.deepEqual(local!.history.map((h) => `${h.state}/${h.by}`), ['received/api', 'routed/tracer', 'charged/kernel', 'notified/test-push']);
      assert.deepEqual(far!.history.map((h) => h.state), ['received', 'routed', 'charged', 'delivered']);
      assert.equal(far!.attributes.deliveryReference, 'r-1');
    } finally {
      await t.stop();
    }
  });

  it('a whole-message reject stops the chain and stores nothing', async () => {
    const later: string[] = [];
    const gate = testPlugin('gate', () => ({ receive: () => verdict.reject('service-denied', 'sender barred') }));
    const after = testPlugin('after', () => ({ receive: () => void later.push('receive'), route: () => void later.push('route') }));
    const t = await startTestMmsc({ plugins: [gate, after, routeAllTo('local')] });
    try {
      const result = await t.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } });
      assert.equal(result.status, 'rejected');
      assert.equal(result.status === 'rejected' && result.reason.code, 'service-denied');
      assert.deepEqual(later, []);
      assert.equal(await t.mmsc.getMessage(result.messageId), undefined);
    } finally {
      await t.stop();
    }
  });

  it('a whole-message defer answers "try later" and stores nothing', async () => {
    const busy = testPlugin('busy', () => ({ charge: () => verdict.defer('network-problem', 'charging system busy', 5000) }));
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), busy] });
    try {
      const result = await t.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } });
      assert.equal(result.status, 'deferred');
      assert.equal(await t.mmsc.getMessage(result.messageId), undefined);
    } finally {
      await t.stop();
    }
  });

  it('rejects single recipients and delivers to the rest', async () => {
    const picky = testPlugin('picky', () => ({
      charge: (ctx) =>
        verdict.perRecipient(
          ctx.recipients.filter((r) => r.address.value === '+15550000003').map((r) => [r.key, verdict.reject('insufficient-credit', 'no credit')]),
        ),
    }));
    const push = recordingPushBearer();
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), picky, push.plugin] });
    try {
      const result = await t.mmsc.submit({
        message: buildMessage({ to: ['+15550000002', '+15550000003', '+15550000004'] }),
        origin: { interface: 'api' },
      });
      assert.equal(result.status, 'accepted');
      assert.deepEqual(result.recipients.map((r) => `${r.address.value}:${r.status}`), [
        '+15550000002:accepted',
        '+15550000003:rejected',
        '+15550000004:accepted',
      ]);
      await waitFor('two pushes', () => push.pushes.length === 2);
      const rs = await t.mmsc.getRecipients(result.messageId);
      assert.equal(rs[1]!.state, 'rejected');
      assert.equal(rs[1]!.history.at(-1)!.reason, 'no credit');
      assert.equal(rs[1]!.history.at(-1)!.by, 'picky');
      assert.deepEqual(push.pushes.map((p) => p.to.value).sort(), ['+15550000002', '+15550000004']);
    } finally {
      await t.stop();
    }
  });

  it('rejects the message when every recipient is rejected, and unrouted recipients have no route', async () => {
    const t = await startTestMmsc({ plugins: [] });
    try {
      const result = await t.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } });
      assert.equal(result.status, 'rejected');
      assert.equal(result.status === 'rejected' && result.reason.code, 'address-unresolved');
    } finally {
      await t.stop();
    }
  });

  it('enforces the kernel limits in the receive stage', async () => {
    const t = await startTestMmsc({ plugins: [routeAllTo('local')], config: { limits: { maxMessageSize: 100, maxRecipients: 2 } } });
    try {
      const big = await t.mmsc.submit({ message: buildMessage({ text: 'x'.repeat(200) }), origin: { interface: 'api' } });
      assert.equal(big.status === 'rejected' && big.reason.code, 'size-exceeded');
      const many = await t.mmsc.submit({ message: buildMessage({ to: ['+15550000002', '+15550000003', '+15550000004'] }), origin: { interface: 'api' } });
      assert.equal(many.status === 'rejected' && many.reason.code, 'too-many-recipients');
    } finally {
      await t.stop();
    }
  });

  it('retries a delivery with back-off and records the outcome', async () => {
    const flaky = deliverer('remote', (attempt) => (attempt < 3 ? { status: 'retry', reason: 'peer busy' } : { status: 'forwarded' }));
    const t = await startTestMmsc({ plugins: [routeAllTo('remote'), flaky.plugin], config: { jobs: fastJobs } });
    try {
      const result = await t.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } });
      await waitFor('forwarded', async () => (await t.mmsc.getRecipients(result.messageId))[0]?.state === 'forwarded');
      assert.deepEqual(flaky.calls, [1, 2, 3]);
    } finally {
      await t.stop();
    }
  });

  it('gives up after the delivery budget and reports the recipient unreachable', async () => {
    const down = deliverer('remote', () => ({ status: 'retry', reason: 'peer down' }));
    const reports = recordingReportSender('api');
    const t = await startTestMmsc({ plugins: [routeAllTo('remote'), down.plugin, reports.plugin], config: { jobs: fastJobs } });
    try {
      const result = await t.mmsc.submit({ message: buildMessage({ deliveryReport: true }), origin: { interface: 'api' } });
      await waitFor('rejected', async () => (await t.mmsc.getRecipients(result.messageId))[0]?.state === 'rejected');
      assert.equal(down.calls.length, 3);
      await waitFor('report', () => reports.reports.length === 1);
      assert.equal(reports.reports[0]!.status, 'unreachable');
    } finally {
      await t.stop();
    }
  });

  it('expires undelivered recipients at the expiry and sends the Expired report', async () => {
    const stuck = testPlugin('stuck-push', (ctx) => {
      ctx.provide('PushBearer', { name: 'stuck-push', push: async () => ({ status: 'sent' }) });
    });
    const reports = recordingReportSender('api');
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), stuck, reports.plugin] });
    try {
      const result = await t.mmsc.submit({
        message: buildMessage({ deliveryReport: true, expiry: new Date(Date.now() + 300) }),
        origin: { interface: 'api' },
      });
      await waitFor('expired', async () => (await t.mmsc.getRecipients(result.messageId))[0]?.state === 'expired');
      await waitFor('expired report', () => reports.reports.find((r) => r.status === 'expired'));
    } finally {
      await t.stop();
    }
  });

  it('caps the expiry the sender asks for', async () => {
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), recordingPushBearer().plugin], config: { expiry: { max: '1h' } } });
    try {
      const result = await t.mmsc.submit({
        message: buildMessage({ expiry: new Date(Date.now() + 30 * 86_400_000) }),
        origin: { interface: 'api' },
      });
      const stored = await t.mmsc.getMessage(result.messageId);
      assert.ok(stored!.expiresAt <= Date.now() + 3_600_000);
    } finally {
      await t.stop();
    }
  });

  it('defers a recipient whose lookup failed and routes it again later', async () => {
    let lookups = 0;
    const resolver = testPlugin('flaky-resolver', (ctx) => {
      ctx.provide('RoutingResolver', {
        name: 'flaky-resolver',
        resolve: async () => {
          lookups += 1;
          return lookups === 1
            ? { kind: 'defer', reason: { code: 'network-problem', message: 'HLR timeout' }, retryAfterMs: 30 }
            : { kind: 'route', route: { target: 'local' } };
        },
      });
    });
    const push = recordingPushBearer();
    const t = await startTestMmsc({ plugins: [resolver, push.plugin] });
    try {
      const result = await t.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } });
      assert.equal(result.status, 'accepted');
      assert.equal(result.recipients[0]!.status, 'deferred');
      await waitFor('notified after re-route', async () => (await t.mmsc.getRecipients(result.messageId))[0]?.state === 'notified');
      assert.equal(lookups, 2);
    } finally {
      await t.stop();
    }
  });

  it('lets a charging backend undo its authorization when a later stage refuses the message', async () => {
    const released: string[] = [];
    const backend = serviceProvider('ocs', 'ChargingBackend', () => ({
      name: 'ocs',
      authorize: async (request) => {
        assert.equal(request.recipients[0]!.kind, 'to');
        return { kind: 'accept' as const };
      },
      release: async (request, reason) => {
        released.push(`${request.message.id}:${reason.code}`);
      },
    }));
    const archive = testPlugin('archive', () => ({ store: () => verdict.defer('network-problem', 'archive offline') }));
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), backend, archive] });
    try {
      const result = await t.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } });
      assert.equal(result.status, 'deferred');
      assert.deepEqual(released, [`${result.messageId}:network-problem`]);
    } finally {
      await t.stop();
    }
  });
});

describe('expiry after forwarding', () => {
  it('a forwarded recipient expires without an Expired report (the Forwarded one stands)', async () => {
    const reports = recordingReportSender('api');
    const fwd = deliverer('remote', () => ({ status: 'forwarded' }));
    const t = await startTestMmsc({ plugins: [routeAllTo('remote'), fwd.plugin, reports.plugin] });
    try {
      const result = await t.mmsc.submit({ message: buildMessage({ deliveryReport: true, expiry: new Date(Date.now() + 300) }), origin: { interface: 'api' } });
      await waitFor('expired', async () => (await t.mmsc.getRecipients(result.messageId))[0]?.state === 'expired');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(reports.reports.map((r) => r.status), []);
    } finally {
      await t.stop();
    }
  });
});
