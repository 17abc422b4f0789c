import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMessage, jobRetries, recordingPushBearer, restartableMmsc, startSimulatedOcs, waitFor, whileRunning } from '@openmmsc/testkit';
import type { PluginInput } from '@openmmsc/core';
import mm9 from '../src/index.js';
import { localPhones, SENDER } from './helpers.js';

const SETTLE_KIND = '@openmmsc/plugin-mm9/settle';

/** MM9 charging each message in a session with the OCS at `ocsPort`, settling retried quickly. */
function chargingAt(ocsPort: number): PluginInput {
  return {
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
  };
}

describe('MM9 settling requests are durable jobs', () => {
  it('a commit retried while the OCS is down survives a restart and is sent once when the OCS is back', async () => {
    const ocs = await startSimulatedOcs({ balances: { [SENDER]: 10 } });
    await whileRunning(
      restartableMmsc('openmmsc-mm9-restart-', { plugins: [localPhones, recordingPushBearer().plugin, chargingAt(ocs.port)] }),
      async (node) => {
        await node.start();
        const r = await node.mmsc.submit({ message: buildMessage({ from: `+${SENDER}`, to: '+15550000002', text: 'hi' }), origin: { interface: 'mm1' } });
        assert.equal(r.status, 'accepted');
        assert.equal(ocs.reserved(SENDER), 2);
        const sessionId = ocs.ccrs().find((c) => c.requestType === 1)!.sessionId!;

        await ocs.setBehaviour('down');
        if ((await node.mmsc.getRecipients(r.messageId))[0]!.state === 'charged') await node.mmsc.transition(r.messageId, 0, 'notified', { by: 'test' });
        await node.mmsc.transition(r.messageId, 0, 'retrieved', { by: 'test' });
        await waitFor('the commit failed and waits for a retry', async () => (await jobRetries(node.mmsc, SETTLE_KIND)) > 0);
        await node.down();
        assert.equal(ocs.ccrs().filter((c) => c.requestType === 3).length, 0, 'nothing reached the OCS while it was down');

        await node.start();
        await ocs.setBehaviour('normal');
        await waitFor('the commit after the restart', () => ocs.balance(SENDER) === 8, { timeoutMs: 15_000 });
        await new Promise((resolve) => setTimeout(resolve, 500));
        const terminations = ocs.ccrs().filter((c) => c.requestType === 3 && c.sessionId === sessionId);
        assert.equal(terminations.length, 1, 'one CCR-TERMINATION for the session');
        assert.deepEqual(terminations[0]!.avps['Multiple-Services-Credit-Control'], { 'Used-Service-Unit': { 'CC-Service-Specific-Units': 2 } });
        assert.equal(ocs.reserved(SENDER), 0);
        await node.mmsc.transition(r.messageId, 0, 'delivered', { by: 'test' });
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(ocs.ccrs().filter((c) => c.requestType === 3).length, 1, 'a later event does not settle it again');
      },
      ocs,
    );
  });
});
