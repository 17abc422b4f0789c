import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { definePlugin, linkTracker, reportLink, type LinkTracker } from '@openmmsc/core';
import { recordingPushBearer, routeAllTo, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import consolePlugin from '../src/index.js';
import { login, testAccounts, type Login } from './rig.js';

describe('links a plugin reports, and alarms: shown, exported, sent to the webhook', () => {
  let t: TestMmsc;
  let hook: Server;
  let s: Login;
  const posted: Array<{ event: string; alarm: { id: string; text: string } }> = [];
  let ppgUp = 1;
  const ppg = definePlugin({ name: 'fake-ppg', version: '0.0.0', apiVersion: '^1.0.0', setup: (ctx) => void reportLink(ctx.metrics, 'ppg', 'ppg.example', () => ppgUp) });
  let peers: LinkTracker | undefined;
  const mm4 = definePlugin({ name: 'fake-mm4', version: '0.0.0', apiVersion: '^1.0.0', setup: (ctx) => void (peers = linkTracker(ctx.metrics, 'mm4-peer')) });
  before(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        posted.push(JSON.parse(body) as (typeof posted)[number]);
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const webhook = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alarms`;
    t = await startTestMmsc({ plugins: [routeAllTo('local'), recordingPushBearer().plugin, ppg, mm4, { plugin: consolePlugin, options: { accounts: await testAccounts(), traffic: { sampleMs: 200 }, alarms: { webhook } } }] });
    s = await login(`${t.mmsc.adminUrl}/console`, 'victor');
  });
  after(async () => {
    await t?.stop();
    hook?.close();
  });

  const links = async () => (await (await fetch(`${t.mmsc.adminUrl}/console/api/links`, { headers: { cookie: s.cookie } })).json()) as { links: Array<{ kind: string; name: string; state: string; since: number; detail: string }>; alarms: Array<{ id: string }> };

  it('a link known from its traffic shows from its first exchange, with the reason its reporter gives', async () => {
    const peer = async () => (await links()).links.find((l) => l.kind === 'mm4-peer' && l.name === 'peer.example');
    assert.equal(await peer(), undefined, 'not listed before any exchange');
    peers!.saw('peer.example', 'down', 'connect ECONNREFUSED 127.0.0.1:2525');
    const down = await waitFor('listed down', async () => (await peer())?.state === 'down' && peer());
    assert.match(down!.detail, /^connect ECONNREFUSED 127\.0\.0\.1:2525 \(\d{4}-/);
    await waitFor('alarm raised', async () => (await links()).alarms.some((a) => a.id === 'link:mm4-peer:peer.example'));
    peers!.saw('peer.example', 'up');
    const up = await waitFor('listed up', async () => (await peer())?.state === 'up' && peer());
    assert.equal(up!.detail, '');
    await waitFor('alarm cleared', async () => !(await links()).alarms.some((a) => a.id === 'link:mm4-peer:peer.example'));
  });

  it('a link going down raises an alarm (page, metric, webhook); coming back clears it', async () => {
    await waitFor('ppg listed up', async () => (await links()).links.some((l) => l.kind === 'ppg' && l.state === 'up'));
    ppgUp = 0;
    await waitFor('alarm raised', async () => (await links()).alarms.some((a) => a.id === 'link:ppg:ppg.example'));
    assert.match(await (await fetch(`${t.mmsc.adminUrl}/metrics`)).text(), /openmmsc_console_alarms_active\{alarm="link:ppg:ppg\.example"\} 1/);
    await waitFor('webhook told', () => posted.some((p) => p.event === 'raised' && p.alarm.id === 'link:ppg:ppg.example'));
    ppgUp = 0.5;
    await waitFor('degraded clears the down alarm', async () => (await links()).links.some((l) => l.kind === 'ppg' && l.state === 'degraded'));
    await waitFor('cleared', async () => !(await links()).alarms.some((a) => a.id === 'link:ppg:ppg.example'));
    await waitFor('webhook told of the clearing', () => posted.some((p) => p.event === 'cleared' && p.alarm.id === 'link:ppg:ppg.example'));
    assert.doesNotMatch(await (await fetch(`${t.mmsc.adminUrl}/metrics`)).text(), /openmmsc_console_alarms_active\{alarm="link:ppg:ppg\.example"\}/);
  });

  it('a job queue past the threshold raises an alarm', async () => {
    const stuck = definePlugin({
      name: 'stuck-bearer',
      version: '0.0.0',
      apiVersion: '^1.0.0',
      setup: (ctx) => ctx.provide('PushBearer', { name: 'stuck', push: async () => ({ status: 'unavailable', reason: 'link down', retryAfterMs: 60_000 }) }),
    });
    const q = await startTestMmsc({ plugins: [routeAllTo('local'), stuck, { plugin: consolePlugin, options: { accounts: await testAccounts(), traffic: { sampleMs: 200 }, alarms: { queueThreshold: 2 } } }] });
    try {
      for (let i = 0; i < 4; i++) await q.mmsc.submit({ message: (await import('@openmmsc/testkit')).buildMessage({ to: `+1555000020${i}` }), origin: { interface: 'mm1' } });
      const v = await login(`${q.mmsc.adminUrl}/console`, 'victor');
      const alarms = async () => ((await (await fetch(`${q.mmsc.adminUrl}/console/api/links`, { headers: { cookie: v.cookie } })).json()) as { alarms: Array<{ id: string; text: string }> }).alarms;
      const alarm = await waitFor('queue alarm', async () => (await alarms()).find((a) => a.id === 'queue:notify'), { timeoutMs: 30_000 });
      assert.match(alarm.text, /^[34] notify jobs queued \(threshold 2\)$/, 'raised once past the threshold, with the depth then');
      // Each message also has its expiry scheduled (4 delayed expire jobs > 2): the plan, not a backlog.
      assert.ok(!(await alarms()).some((a) => a.id === 'queue:expire'), 'delayed jobs raise no alarm');
    } finally {
      await q.stop();
    }
  });
});
