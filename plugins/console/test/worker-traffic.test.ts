import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyValueStore } from '@openmmsc/core';
import { ClusterTraffic, publisherName } from '../src/traffic/cluster-traffic.js';

/** The shared key/value space every worker of a node (and every node) writes to; `reads` counts gets. */
function sharedKv(): KeyValueStore & { reads: string[] } {
  const map = new Map<string, unknown>();
  const reads: string[] = [];
  return {
    reads,
    get: async <T>(key: string) => (reads.push(key), structuredClone(map.get(key)) as T | undefined),
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

  it('a page polling the hour re-reads only the buckets a node may still write', async () => {
    const kv = sharedKv();
    const minute = 60_000;
    const start = 1_800_000_000_000;
    let now = start;
    const traffic = new ClusterTraffic(kv, 'n1', 10_000, () => now, silent);
    for (let m = 0; m < 5; m++) await traffic.publish('hour', { at: start + m * minute, values: { 'submitted mm1 accepted': m + 1 } });
    now = start + 4 * minute + 1000;
    const first = await traffic.read('hour');
    const bucketReads = () => kv.reads.filter((k) => k.startsWith('traffic:hour:n1:')).length;
    assert.equal(bucketReads(), 61, 'the first read fetches every bucket of the hour');
    kv.reads.length = 0;
    now += 5000;
    const second = await traffic.read('hour');
    assert.equal(bucketReads(), 2, 'then only the current bucket and the one before');
    assert.deepEqual(second.points, first.points, 'the same figures');
    // The open bucket keeps changing and is read again each time.
    await traffic.publish('hour', { at: now, values: { 'submitted mm1 accepted': 9 } });
    const third = await traffic.read('hour');
    assert.equal(third.points.at(-1)!.values['submitted mm1 accepted'], 9);
  });

  it('a single-process node keeps its plain name', () => {
    assert.equal(publisherName('n1', undefined), 'n1');
    assert.equal(publisherName('n1', 3), 'n1#3');
  });
});
