import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { definePlugin } from '@openmmsc/core';
import { recordingPushBearer, routeAllTo, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import consolePlugin from '../src/index.js';
import { login, testAccounts } from './rig.js';

/** Each submission takes a while, so that a stop lands in the middle of the campaign. */
const slow = definePlugin({ name: 'slow-receive', version: '0.0.0', apiVersion: '^1.0.0', setup: () => ({ receive: () => sleep(15).then(() => undefined) }) });

describe('campaigns are durable work in the shared store', () => {
  let dir: string;
  after(async () => rm(dir, { recursive: true, force: true }));

  it('a campaign stopped half-way with its node resumes on the next start, sending each recipient once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'console-campaign-'));
    const accounts = await testAccounts();
    const start = () =>
      startTestMmsc({
        plugins: [slow, routeAllTo('local'), recordingPushBearer().plugin, { plugin: consolePlugin, options: { accounts } }],
        config: { store: { type: 'sqlite', path: join(dir, 'store.sqlite') } },
        keepDir: true,
      });
    let t: TestMmsc = await start();
    let base = `${t.mmsc.adminUrl}/console`;
    let s = await login(base, 'olga');
    const recipients = Array.from({ length: 100 }, (_, i) => `+1555${String(9_000_000 + i)}`).join('\n');
    const created = await fetch(`${base}/api/campaigns`, { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'restart', from: '12345', text: 'hi', recipients }) });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    const progress = async () => ((await (await fetch(`${base}/api/campaigns/${id}`, { headers: { cookie: s.cookie } })).json()) as { campaign: { done: number; state: string; accepted: number }; outcomes: Array<{ messageId?: string }> });
    await waitFor('some done', async () => (await progress()).campaign.done >= 20);
    await t.stop();

    t = await start();
    try {
      base = `${t.mmsc.adminUrl}/console`;
      s = await login(base, 'olga');
      const before = (await progress()).campaign.done;
      assert.ok(before < 100, `stopped half-way (${before} done)`);
      await waitFor('resumed to the end', async () => (await progress()).campaign.state === 'done', { timeoutMs: 30_000 });
      const end = await progress();
      assert.equal(end.campaign.done, 100);
      assert.equal(end.campaign.accepted, 100);
      const ids = new Set(end.outcomes.map((o) => o.messageId));
      assert.equal(ids.size, 100, 'one message per recipient, none sent twice');
    } finally {
      await t.stop();
    }
  });
});
