import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMessage, requireSystem, waitFor, type TestMmsc } from '@openmmsc/testkit';
import type { SearchResult } from '../src/trace/search.js';
import { twoNodesOnRedis } from './cluster-rig.js';
import { login } from './rig.js';

describe('the console on two nodes sharing Redis: any node shows the whole cluster', { skip: requireSystem('redis-server') }, () => {
  const nodes = twoNodesOnRedis(['n1', 'n2'], 'console-cluster', { trace: { flushMs: 20 } });

  it('a message submitted on one node is found from the other, by VASP and by MSISDN; a session opened on one node works on the other', async () => {
    const [n1, n2] = nodes as [TestMmsc, TestMmsc];
    const ids: string[] = [];
    for (const [node, to] of [[n1, '+15557000001'], [n2, '+15557000002'], [n1, '+15557000003']] as const) {
      const r = await node.mmsc.submit({ message: buildMessage({ from: '4444', to }), origin: { interface: 'mm7', peer: 'acme', attributes: { vaspId: 'acme' } } });
      assert.equal(r.status, 'accepted');
      ids.push(r.messageId);
    }
    const s = await login(`${n1.mmsc.adminUrl}/console`, 'victor');
    const search = async (q: string) => (await (await fetch(`${n2.mmsc.adminUrl}/console/api/messages?${q}`, { headers: { cookie: s.cookie } })).json()) as SearchResult;
    await waitFor('every node\'s index entries are written', async () => (await search('vasp=acme')).hits.length === 3);
    const byVasp = await search('vasp=acme');
    assert.deepEqual(new Set(byVasp.hits.map((h) => h.id)), new Set(ids));
    const byMsisdn = await search(`address=${encodeURIComponent('+15557000003')}`);
    assert.deepEqual(byMsisdn.hits.map((h) => h.id), [ids[2]]);
    const page = await (await fetch(`${n2.mmsc.adminUrl}/console/api/messages/${ids[0]}`, { headers: { cookie: s.cookie } })).json() as { recipients: Array<{ history: Array<{ node?: string }> }> };
    assert.equal(page.recipients[0]!.history[0]!.node, 'n1', 'the history names the node that received it');
  });

  it('a campaign started on one node is worked on by the cluster and finishes', async () => {
    const [n1, n2] = nodes as [TestMmsc, TestMmsc];
    const o = await login(`${n1.mmsc.adminUrl}/console`, 'olga');
    const recipients = Array.from({ length: 60 }, (_, i) => `+1555600${String(i).padStart(4, '0')}`).join('\n');
    const res = await fetch(`${n1.mmsc.adminUrl}/console/api/campaigns`, { method: 'POST', headers: { cookie: o.cookie, 'x-csrf-token': o.csrf, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'cluster', from: '4444', text: 'hi', recipients }) });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    const state = async () => ((await (await fetch(`${n2.mmsc.adminUrl}/console/api/campaigns/${id}`, { headers: { cookie: o.cookie } })).json()) as { campaign: { state: string; accepted: number } }).campaign;
    await waitFor('campaign done', async () => (await state()).state === 'done', { timeoutMs: 30_000 });
    assert.equal((await state()).accepted, 60);
  });
});
