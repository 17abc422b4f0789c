import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyValueStore } from '@openmmsc/core';
import { ClusterTraffic, publisherName } from '../src/traffic/cluster-traffic.js';

/** The shared key/value space every worker of a node (and every node) writes to. */
function sharedKv(): KeyValueStore {
  const map = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => structuredClone(map.get(key)) as T | undefined,
    set: async (key, value) => void map.set(key, structuredClone(value)),
    delete: async (key) => map.delete(key),
    update: async <T>(key: string, fn: (current: T | undefined) => T) => {
      const next = fn(structuredClone(map.get(key)) as T | undefined);
      map.set(key, structuredClone(next));
      return next;
    },
  };
}

const silent = { warn: () => {}, info: () => {}, error: () => {} } as never;

describe('traffic of a node of several workers', () => {
  it('each worker publishes its own points; the node line and the total add them up, the queue is read once', async () => {
    const kv = sharedKv();
    const at = 1_800_000_000_000;
    const now = () => at + 500;
    const w1 = new ClusterTraffic(kv, publisherName('n1', 1), 1000, now, silent);
    const w2 = new ClusterTraffic(kv, publisherName('n1', 2), 1000, now, silent);
    const other = new ClusterTraffic(kv, publisherName('n2', undefined), 1000, now, silent);
    // Both workers see the one shared queue (40 waiting) and count their own submissions.
    await w1.publish('hour', { at, values: { 'submitted mm1 accepted': 30, 'queued notify waiting': 40 } });
    await w2.publish('hour', { at, values: { 'submitted mm1 accepted': 12, 'queued notify waiting': 40 } });
    await other.publish('hour', { at, values: { 'submitted mm1 accepted': 5, 'queued notify waiting': 40 } });

    const view = await w2.read('hour');
    assert.deepEqual(view.nodes.map((n) => n.node), ['n1', 'n2'], 'workers are one line of the breakdown');
    const n1 = view.nodes.find((n) => n.node === 'n1')!;
    assert.equal(n1.points.length, 1);
    assert.equal(n1.points[0]!.values['submitted mm1 accepted'], 42, 'both workers’ submissions, none overwritten');
    assert.equal(n1.points[0]!.values['queued notify waiting'], 40);
    assert.equal(view.points[0]!.values['submitted mm1 accepted'], 47);
    assert.equal(view.points[0]!.values['queued notify waiting'], 40);
  });

  it('a single-process node keeps its plain name', () => {
    assert.equal(publisherName('n1', undefined), 'n1');
    assert.equal(publisherName('n1', 3), 'n1#3');
  });
});
