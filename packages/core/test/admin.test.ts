import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { definePlugin } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, startTestMmsc, testPlugin, waitFor } from '@openmmsc/testkit';

describe('admin server and lifecycle', () => {
  it('serves /health, /ready with every check, and /metrics', async () => {
    let pluginReady: true | string = 'warming up';
    const slow = definePlugin({ name: 'slow-start', version: '0.0.0', apiVersion: '^1.0.0', setup: () => ({ ready: () => pluginReady }) });
    const t = await startTestMmsc({ plugins: [slow] });
    try {
      const base = t.mmsc.adminUrl!;
      assert.equal((await fetch(`${base}/health`)).status, 200);
      let ready = await fetch(`${base}/ready`);
      assert.equal(ready.status, 503);
      assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, { store: 'ok', queue: 'ok', disk: 'ok', 'slow-start': 'warming up' });
      pluginReady = true;
      ready = await fetch(`${base}/ready`);
      assert.equal(ready.status, 200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /# TYPE openmmsc_submissions_total counter/);
      assert.match(metrics, /openmmsc_process_resident_memory_bytes/);
    } finally {
      await t.stop();
    }
  });

  it('on stop, finishes in-flight jobs before closing', async () => {
    let finished = false;
    let started = false;
    const slowDeliverer = testPlugin('slow-deliverer', (ctx) => {
      ctx.provide('Deliverer', {
        target: 'remote',
        deliver: async () => {
          started = true;
          await new Promise((r) => setTimeout(r, 300));
          finished = true;
          return { status: 'delivered' };
        },
      });
      return {
        route: (m) => {
          for (const r of m.recipients) m.route(r, { target: 'remote' });
        },
      };
    });
    const t = await startTestMmsc({ plugins: [slowDeliverer, recordingPushBearer().plugin] });
    await t.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } });
    await waitFor('delivery started', () => started);
    await t.stop();
    assert.equal(finished, true);
  });

  it('answers submissions during shutdown with a temporary refusal', async () => {
    const t = await startTestMmsc({ plugins: [] });
    const mmsc = t.mmsc;
    await t.stop();
    const result = await mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } });
    assert.equal(result.status, 'deferred');
  });
});
