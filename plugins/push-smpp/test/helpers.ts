import assert from 'node:assert/strict';
import { buildMessage, fastNotifyRetries, localSubscribers, notificationBuilder, pushBearerProbe, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import pushSmpp from '../src/index.js';

/** An SMSC link of the push-smpp options, to the simulated SMSC on `port`, with test-fast timers. */
export function link(port: number, extra: Record<string, unknown> = {}) {
  return {
    host: '127.0.0.1',
    port,
    systemId: 'mmsc',
    password: 'secret',
    systemType: 'WAP',
    sourceAddr: '1234',
    sourceTon: 6,
    sourceNpi: 0,
    enquireLinkMs: 1000,
    responseTimeoutMs: 2000,
    reconnect: { baseMs: 50, maxMs: 400 },
    ...extra,
  };
}

/** An MMSC whose push bearer is push-smpp with one link per SMSC port; `bearer()` is the bearer itself. */
export async function mmscWith(smscPorts: number[], options: Record<string, unknown> = {}, pad?: number) {
  const probe = pushBearerProbe();
  const t = await startTestMmsc({
    plugins: [
      localSubscribers(),
      notificationBuilder(pad === undefined ? {} : { pad }),
      { plugin: pushSmpp, options: { links: smscPorts.map((p) => link(p)), ...options } },
      probe.plugin,
    ],
    config: fastNotifyRetries,
  });
  return { t, bearer: probe.bearer, stop: () => t.stop() };
}

export async function send(t: TestMmsc, to: string | string[]) {
  const r = await t.mmsc.submit({ message: buildMessage({ to }), origin: { interface: 'api' } });
  assert.equal(r.status, 'accepted');
  return r.messageId;
}

export async function recipientState(t: TestMmsc, messageId: string, index = 0) {
  return (await t.mmsc.getRecipients(messageId))[index];
}

export async function notified(t: TestMmsc, messageId: string, index = 0) {
  return waitFor(`recipient ${index} of ${messageId} notified`, async () => {
    const r = await recipientState(t, messageId, index);
    return r?.state === 'notified' ? r : undefined;
  });
}
