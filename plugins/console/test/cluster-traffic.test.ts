import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMessage, requireSystem, waitFor, type TestMmsc } from '@openmmsc/testkit';
import type { ClusterTrafficView } from '../src/traffic/cluster-traffic.js';
import { twoNodesOnRedis } from './cluster-rig.js';
import { login } from './rig.js';

const SERIES = 'submitted mm7 accepted';

/** Messages a run of rate points stands for: each rate times the time since the node's previous point. */
function integrate(points: ClusterTrafficView['points']): number {
  let n = 0;
  for (let i = 1; i < points.length; i++) n += (points[i]!.values[SERIES] ?? 0) * ((points[i]!.at - points[i - 1]!.at) / 1000);
  return n;
}

describe('traffic charts show the whole cluster: two nodes on one Redis', { skip: requireSystem('redis-server') }, () => {
  const nodes = twoNodesOnRedis(['t1', 't2'], 'console-traffic', { traffic: { sampleMs: 300 } });

  it("each node's submissions are in its own breakdown, and the cluster series is their sum", async () => {
    const [t1, t2] = nodes as [TestMmsc, TestMmsc];
    for (const [node, count] of [[t1, 4], [t2, 2]] as const) {
      for (let i = 0; i < count; i++) {
        const r = await node.mmsc.submit({ message: buildMessage({ from: '4444', to: `+1555800000${i}` }), origin: { interface: 'mm7', attributes: { vaspId: 'acme' } } });
        assert.equal(r.status, 'accepted');
      }
    }
    // Read from t2 only: t1's figures reach it through Redis alone.
    const s = await login(`${t2.mmsc.adminUrl}/console`, 'victor');
    const traffic = async () => (await (await fetch(`${t2.mmsc.adminUrl}/console/api/traffic?range=hour`, { headers: { cookie: s.cookie } })).json()) as ClusterTrafficView;
    const view = await waitFor(
      'both nodes counted',
      async () => {
        const v = await traffic();
        const of = (id: string) => v.nodes.find((n) => n.node === id)?.points ?? [];
        return Math.round(integrate(of('t1'))) === 4 && Math.round(integrate(of('t2'))) === 2 && v;
      },
      { timeoutMs: 15_000 },
    );
    assert.deepEqual(view.nodes.map((n) => n.node), ['t1', 't2']);
    const total = (points: ClusterTrafficView['points']) => points.reduce((n, p) => n + (p.values[SERIES] ?? 0), 0);
    const perNode = view.nodes.reduce((n, x) => n + total(x.points), 0);
    assert.ok(perNode > 0);
    assert.ok(Math.abs(total(view.points) - perNode) < 0.05, `cluster ${total(view.points)} = t1 + t2 ${perNode}`);
    assert.ok(view.points.every((p, i) => i === 0 || p.at > view.points[i - 1]!.at), 'one point per slot, in time order');
  });
});
