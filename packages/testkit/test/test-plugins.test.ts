import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SimulatedHandset,
  buildMessage,
  decodeNotification,
  fastNotifyRetries,
  handsetPushBearer,
  localSubscribers,
  notificationBuilder,
  pushBearerProbe,
  recordingDeliverer,
  recordingPushBearer,
  routeAllTo,
  serviceProvider,
  startTestMmsc,
  waitFor,
} from '../src/index.js';

describe('the testkit stand-ins other tests lean on', () => {
  it('localSubscribers routes its prefix to local handsets; recordingPushBearer keeps the notifications; the probe finds the bearer', async () => {
    const push = recordingPushBearer();
    const probe = pushBearerProbe();
    const t = await startTestMmsc({ plugins: [localSubscribers('+1555'), notificationBuilder(), push.plugin, probe.plugin], config: fastNotifyRetries });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: ['+15550000001', '+4930123456'] }), origin: { interface: 'api' } });
      assert.equal(r.status, 'accepted');
      assert.deepEqual(
        r.recipients.map((x) => x.status),
        ['accepted', 'rejected'],
        'a number outside the prefix has no route',
      );
      const pushed = await waitFor('the push', () => push.pushes[0]);
      assert.equal(pushed.to.value, '+15550000001');
      assert.equal(probe.bearer().name, 'test-push');
      // notificationBuilder set the content location and a WAP Push of an m-notification-ind.
      const { push: wsp, pdu } = decodeNotification(pushed.pdu!);
      assert.equal(wsp.contentType.type, 'application/vnd.wap.mms-message');
      assert.equal(wsp.applicationId, 'x-wap-application:mms.ua');
      assert.equal(pdu.messageType, 'm-notification-ind');
      assert.equal(pdu.transactionId, `T${r.messageId}`);
      assert.equal(pdu.contentLocation, `http://mmsc.test/m/${r.messageId}`);
      assert.equal(pushed.notification.contentLocation, pdu.contentLocation);
    } finally {
      await t.stop();
    }
  });

  it('pushBearerProbe says so when asked before start', () => {
    assert.throws(() => pushBearerProbe().bearer(), /no push bearer/);
  });

  it('routeAllTo and recordingDeliverer: every recipient handed to the named target', async () => {
    const mm4 = recordingDeliverer('mm4');
    const t = await startTestMmsc({ plugins: [routeAllTo('mm4'), mm4.plugin, recordingPushBearer().plugin] });
    try {
      await t.mmsc.submit({ message: buildMessage({ to: ['+4930123456', 'bob@other.example'] }), origin: { interface: 'api' } });
      await waitFor('both delivered', () => mm4.delivered.length === 2);
      assert.deepEqual([...mm4.delivered].sort(), ['+4930123456', 'bob@other.example']);
    } finally {
      await t.stop();
    }
  });

  it('serviceProvider builds a plugin around one service, given the plugin context', async () => {
    const names: string[] = [];
    const resolver = serviceProvider('my-resolver', 'RoutingResolver', (ctx) => {
      names.push(ctx.name);
      return { name: 'my-resolver', resolve: async () => ({ kind: 'reject', reason: { code: 'address-unresolved', message: 'nobody home' } }) };
    });
    const t = await startTestMmsc({ plugins: [resolver, recordingPushBearer().plugin] });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550000001' }), origin: { interface: 'api' } });
      assert.equal(r.recipients[0]?.status, 'rejected');
      assert.deepEqual(names, ['my-resolver']);
    } finally {
      await t.stop();
    }
  });

  it('handsetPushBearer hands the notification to the attached handset, which reassembles the SMS', async () => {
    const bearer = handsetPushBearer();
    const t = await startTestMmsc({ plugins: [localSubscribers(), notificationBuilder({ pad: 300 }), bearer.plugin] });
    const handset = new SimulatedHandset({ msisdn: '+15550000007', mmscUrl: 'http://127.0.0.1:9/unused', mode: 'manual' });
    bearer.attach(handset);
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550000007' }), origin: { interface: 'api' } });
      const n = await handset.waitForNotification();
      assert.equal(n.transactionId, `T${r.messageId}`);
      assert.ok(n.contentLocation?.endsWith('x'.repeat(300)), 'a push spanning several SMS arrives whole');
    } finally {
      await handset.close();
      await t.stop();
    }
  });
});

describe('waitFor', () => {
  it('resolves with the first truthy value and says what it waited for on time-out', async () => {
    let n = 0;
    assert.equal(await waitFor('n to reach 3', () => (++n >= 3 ? n : undefined), { intervalMs: 1 }), 3);
    await assert.rejects(
      waitFor('the impossible', () => {
        throw new Error('still broken');
      }, { timeoutMs: 30, intervalMs: 5 }),
      /timed out after 30 ms waiting for the impossible \(last error: still broken\)/,
    );
  });
});
