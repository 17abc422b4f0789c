import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkDetails } from '@openmmsc/core';
import { linkState, startSimulatedOcs, waitFor } from '@openmmsc/testkit';
import { startWithMm9 } from './helpers.js';

describe('OCS peers as links (openmmsc_link_up{kind="ocs"})', () => {
  it('down while the peer refuses connections, up after CER/CEA, degraded while a watchdog goes unanswered, down when it stops, up again', async () => {
    const ocs = await startSimulatedOcs({ behaviour: 'down', balances: { '15550000001': 10 } });
    const name = `127.0.0.1:${ocs.port}`;
    const t = await startWithMm9({
      peers: [{ port: ocs.port }],
      onUnreachable: 'accept',
      timeouts: { watchdogMs: 600, connectMs: 300, reconnectMinMs: 50, reconnectMaxMs: 100 },
    });
    const state = () => linkState(t.mmsc, 'ocs', name);
    try {
      await waitFor('down: nothing listens', async () => (await state()) === 0 && /connection failed: .*ECONNREFUSED/.test(linkDetails(t.mmsc.registry).get(`ocs\u0000${name}`) ?? ''));
      await ocs.setBehaviour('normal');
      await waitFor('up: CER/CEA done', async () => (await state()) === 1);
      assert.ok(ocs.requests.some((q) => q.command === 'CER' && q.resultCode === 2001));
      await ocs.setBehaviour('hang');
      await waitFor('degraded: DWR unanswered', async () => (await state()) === 0.5, { intervalMs: 10 });
      await ocs.setBehaviour('down');
      await waitFor('down: the OCS stopped', async () => (await state()) === 0);
      await ocs.setBehaviour('normal');
      await waitFor('up again', async () => (await state()) === 1);
    } finally {
      await t.stop();
      await ocs.stop();
    }
  });
});
