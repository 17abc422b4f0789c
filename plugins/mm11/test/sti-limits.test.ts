/**
 * Issue 15.4 for the STI server: it gets the same listener protection as every HTTP listener
 * (from `listeners.http`, overridden by `sti.server.listener`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { definePlugin, type Transcoder } from '@openmmsc/core';
import { slowPosts, startTestMmsc, type SlowClients } from '@openmmsc/testkit';
import mm11, { isMm11Transcoder, parseStiResponse } from '../src/index.js';

describe('STI server listener limits', () => {
  it('caps slow clients per address and cuts them off at the request time-out; others are answered', async () => {
    let transcoder: Transcoder | undefined;
    const grab = definePlugin({ name: 'grab-transcoder', version: '0.0.0', apiVersion: '^1.0.0', setup: (ctx) => ({ start: () => void (transcoder = ctx.service('Transcoder')) }) });
    const t = await startTestMmsc({
      config: { listeners: { http: { maxConnectionsPerAddress: 200 } } },
      plugins: [{ plugin: mm11, options: { sti: { server: { enabled: true, port: 0, listener: { headersTimeout: '1s', requestTimeout: '2s', maxConnectionsPerAddress: 8 } } } } }, grab],
    });
    let slow: SlowClients | undefined;
    try {
      const url = isMm11Transcoder(transcoder) ? transcoder.stiUrl : undefined;
      assert.ok(url);
      slow = await slowPosts({ url, headers: { 'Content-Type': 'text/xml' }, contentLength: 20_000, firstBytes: '<', count: 100, everyMs: 500 });
      await slow.untilOpenAtMost(8, 'the crowd capped by the plugin override (8), not the kernel default (200)', 2000);
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
      assert.equal(parseStiResponse(await res.text()).code, 4000);
      await slow.untilOpenAtMost(0, 'every slow client cut off', 6000);
      assert.ok(slow.longestMs() < 5000);
      assert.match(await t.mmsc.registry.metrics(), /openmmsc_listener_refused_total\{listener="sti",reason="per-address"\} 92/);
    } finally {
      slow?.stop();
      await t.stop();
    }
  });
});
