import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildMessage, recordingPushBearer, startSimulatedOcs, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import mm9 from '../src/index.js';
import { localPhones } from './helpers.js';

const SENDER = '15550000001';
const SETTLE_KIND = '@openmmsc/plugin-mm9/settle';

function startOn(store: string, ocsPort: number): Promise<TestMmsc> {
  return startTestMmsc({
    config: { store: { type: 'sqlite', path: store } },
    plugins: [
      localPhones,
      recordingPushBearer().plugin,
      {
        plugin: mm9,
        options: {
          originHost: 'mmsc.test',
          originRealm: 'test',
          destinationRealm: 'test.openmmsc.org',
          peers: [{ port: ocsPort }],
          mode: 'session',
          unitsPerRecipient: 2,
          retry: { attempts: 50, baseMs: 100 },
          timeouts: { requestMs: 300, waitForPeerMs: 100, reconnectMinMs: 50, reconnectMaxMs: 200 },
        },
      },
    ],
  });
}

describe('MM9 settling requests are durable jobs', () => {
  it('a commit retried while the OCS is down survives a restart and is sent once when the OCS is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-mm9-restart-'));
    const store = join(dir, 'store.sqlite');
    const ocs = await startSimulatedOcs({ balances: { [SENDER]: 10 } });
    let t: TestMmsc | undefined;
    try {
      t = await startOn(store, ocs.port);
      const r = await t.mmsc.submit({ message: buildMessage({ from: `+${SENDER}`, to: '+15550000002', text: 'hi' }), origin: { interface: 'mm1' } });
      assert.equal(r.status, 'accepted');
      assert.equal(ocs.reserved(SENDER), 2);
      const sessionId = ocs.ccrs().find((c) => c.requestType === 1)!.sessionId!;

      await ocs.setBehaviour('down');
      if ((await t.mmsc.getRecipients(r.messageId))[0]!.state === 'charged') await t.mmsc.transition(r.messageId, 0, 'notified', { by: 'test' });
      await t.mmsc.transition(r.messageId, 0, 'retrieved', { by: 'test' });
      const first = t;
      await waitFor('the commit failed and waits for a retry', async () =>
        new RegExp(`kind="${SETTLE_KIND.replaceAll('/', '\\/')}",outcome="retry"\\} [1-9]`).test(await first.mmsc.registry.getSingleMetricAsString('openmmsc_jobs_total')),
      );
      await t.stop();
      t = undefined;
      assert.equal(ocs.ccrs().filter((c) => c.requestType === 3).length, 0, 'nothing reached the OCS while it was down');

      t = await startOn(store, ocs.port);
      await ocs.setBehaviour('normal');
      await waitFor('the commit after the restart', () => ocs.balance(SENDER) === 8, { timeoutMs: 15_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const terminations = ocs.ccrs().filter((c) => c.requestType === 3 && c.sessionId === sessionId);
      assert.equal(terminations.length, 1, 'one CCR-TERMINATION for the session');
      assert.deepEqual(terminations[0]!.avps['Multiple-Services-Credit-Control'], { 'Used-Service-Unit': { 'CC-Service-Specific-Units': 2 } });
      assert.equal(ocs.reserved(SENDER), 0);
      await t.mmsc.transition(r.messageId, 0, 'delivered', { by: 'test' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(ocs.ccrs().filter((c) => c.requestType === 3).length, 1, 'a later event does not settle it again');
    } finally {
      await t?.stop();
      await ocs.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
