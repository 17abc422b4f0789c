import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordingPushBearer, routeAllTo, startTestMmsc, waitFor } from '@openmmsc/testkit';
import consolePlugin from '../src/index.js';
import { CHUNK, countChunk, type CampaignState } from '../src/campaigns/campaign-store.js';
import { login, testAccounts } from './rig.js';

const outcomes = (n: number, refused = 0) => Array.from({ length: n }, (_, i) => ({ address: `+1555000${i}`, accepted: i >= refused, status: i >= refused ? 'accepted' : 'rejected' }));

describe('campaign chunks are jobs on the kernel queue', () => {
  it('counts each chunk once, whatever order the chunks finish in and however often one runs', () => {
    let s: CampaignState = { id: 'c', name: 'c', createdBy: 'olga', createdAt: 0, from: '1', total: 35, batch: 1, state: 'running', countedBelow: 0, countedAbove: [], done: 0, accepted: 0, rejected: 0 };
    s = countChunk(s, 2 * CHUNK, outcomes(10, 1), 1);
    s = countChunk(s, 2 * CHUNK, outcomes(10, 1), 2); // the same chunk run again (at-least-once)
    assert.deepEqual([s.countedBelow, s.countedAbove, s.done, s.rejected], [0, [20], 10, 1]);
    s = countChunk(s, 0, outcomes(10), 3);
    s = countChunk(s, CHUNK, outcomes(10), 4);
    assert.deepEqual([s.countedBelow, s.countedAbove, s.done, s.state], [30, [], 30, 'running'], 'the low mark moves past every chunk counted');
    s = countChunk(s, 3 * CHUNK, outcomes(5, 2), 5);
    assert.deepEqual([s.done, s.accepted, s.rejected, s.state, s.finishedAt], [35, 32, 3, 'done', 5]);
    assert.equal(countChunk(s, 0, outcomes(10), 6), s, 'nothing changes once counted');
  });

  it('a campaign runs as `<plugin>/campaign-chunk` jobs, each recipient submitted once', async () => {
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), recordingPushBearer().plugin, { plugin: consolePlugin, options: { accounts: await testAccounts() } }] });
    try {
      const base = `${t.mmsc.adminUrl}/console`;
      const s = await login(base, 'olga');
      const recipients = Array.from({ length: 45 }, (_, i) => `+1555700${String(i).padStart(4, '0')}`).join('\n');
      const res = await fetch(`${base}/api/campaigns`, { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'jobs', from: '12345', text: 'hi', recipients }) });
      assert.equal(res.status, 201);
      const { id } = (await res.json()) as { id: string };
      const got = await waitFor('done', async () => {
        const c = (await (await fetch(`${base}/api/campaigns/${id}`, { headers: { cookie: s.cookie } })).json()) as { campaign: { state: string; accepted: number }; outcomes: Array<{ messageId?: string }> };
        return c.campaign.state === 'done' && c;
      });
      assert.equal(got.campaign.accepted, 45);
      assert.equal(new Set(got.outcomes.map((o) => o.messageId)).size, 45);
      const metrics = await (await fetch(`${t.mmsc.adminUrl}/metrics`)).text();
      const done = metrics.split('\n').filter((l) => l.startsWith('openmmsc_jobs_total{') && l.includes('kind="@openmmsc/plugin-console/campaign-chunk"') && l.includes('outcome="done"'));
      assert.equal(done.reduce((n, l) => n + Number(l.split(' ').at(-1)), 0), 5, `five chunks of ten, as jobs: ${done.join(' | ')}`);
    } finally {
      await t.stop();
    }
  });
});
