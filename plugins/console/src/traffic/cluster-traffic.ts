import type { KeyValueStore } from '@openmmsc/core';
import type { Log } from '../log.js';
import type { TrafficPoint, TrafficRange } from './sampler.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How each range is kept in the shared store: a node's points in one key per bucket (rewritten
 * by that node alone as the bucket fills), expiring once the range has passed it; a page reads
 * every node's buckets of the range (61 keys per node for the hour, 25 for the day).
 */
const LAYOUT: Record<TrafficRange, { bucketMs: number; spanMs: number; slotMs: (sampleMs: number) => number }> = {
  hour: { bucketMs: MINUTE, spanMs: HOUR, slotMs: (sampleMs) => sampleMs },
  day: { bucketMs: HOUR, spanMs: DAY, slotMs: () => 5 * MINUTE },
};
const NODES_KEY = 'traffic:nodes';

export interface NodeTraffic {
  node: string;
  points: TrafficPoint[];
}

export interface ClusterTrafficView {
  /** Every node's figures added up (rates summed; latency and queue depth: the largest any node saw). */
  points: TrafficPoint[];
  nodes: NodeTraffic[];
}

/** Who publishes points: a node, or one worker of a node of several (`node#slot`). */
export function publisherName(node: string, worker: number | undefined): string {
  return worker === undefined ? node : `${node}#${worker}`;
}
const nodeOf = (publisher: string): string => publisher.split('#')[0]!;

/**
 * The traffic of every node: each node (each worker of a node of several) publishes its own
 * points to the shared key/value space, and any node's page shows the cluster's sum with a
 * per-node breakdown.
 */
export class ClusterTraffic {
  private readonly open: Partial<Record<TrafficRange, { bucket: number; points: TrafficPoint[] }>> = {};
  private seenWritten = 0;
  /**
   * Buckets no node writes any more (two or more buckets back: a node writes only its current
   * one), as read: a page polling the hour re-reads 2 keys per node, not 61.
   */
  private readonly closed = new Map<string, { bucket: number; points: TrafficPoint[] }>();

  constructor(
    private readonly kv: KeyValueStore,
    /** `publisherName(node, worker)`: workers of one node must not overwrite each other's buckets. */
    private readonly node: string,
    private readonly sampleMs: number,
    private readonly now: () => number,
    private readonly log: Log,
  ) {}

  /** Adds this node's point to its bucket in the shared store (one write). */
  async publish(range: TrafficRange, point: TrafficPoint): Promise<void> {
    const { bucketMs, spanMs } = LAYOUT[range];
    const bucket = Math.floor(point.at / bucketMs);
    let open = this.open[range];
    if (!open || open.bucket !== bucket) open = this.open[range] = { bucket, points: [] };
    open.points.push(point);
    try {
      await this.kv.set(`traffic:${range}:${this.node}:${bucket}`, open.points, spanMs + 2 * bucketMs);
      await this.announce(point.at);
    } catch (error) {
      this.log.warn({ err: error }, 'console: could not publish traffic figures');
    }
  }

  /** Keeps this node in the list of nodes with figures (at most one update a minute). */
  private async announce(at: number): Promise<void> {
    if (at - this.seenWritten < MINUTE) return;
    this.seenWritten = at;
    await this.kv.update<Record<string, number>>(NODES_KEY, (current) => {
      const next: Record<string, number> = {};
      for (const [node, seen] of Object.entries(current ?? {})) if (at - seen < DAY + HOUR) next[node] = seen;
      next[this.node] = at;
      return next;
    });
  }

  private async bucket(range: TrafficRange, node: string, bucket: number, current: number): Promise<TrafficPoint[] | undefined> {
    const key = `${range}:${node}:${bucket}`;
    const known = this.closed.get(key);
    if (known) return known.points;
    const points = await this.kv.get<TrafficPoint[]>(`traffic:${key}`);
    if (bucket < current - 1) this.closed.set(key, { bucket, points: points ?? [] });
    return points;
  }

  async read(range: TrafficRange): Promise<ClusterTrafficView> {
    const { bucketMs, spanMs, slotMs } = LAYOUT[range];
    const now = this.now();
    const from = now - spanMs;
    const seen = (await this.kv.get<Record<string, number>>(NODES_KEY)) ?? {};
    const nodes = Object.entries(seen)
      .filter(([, at]) => at >= from - bucketMs)
      .map(([node]) => node)
      .sort();
    const buckets: number[] = [];
    for (let b = Math.floor(from / bucketMs); b <= Math.floor(now / bucketMs); b++) buckets.push(b);
    const perPublisher = await Promise.all(
      nodes.map(async (node): Promise<NodeTraffic> => {
        const got = await Promise.all(buckets.map((b) => this.bucket(range, node, b, Math.floor(now / bucketMs))));
        return { node, points: got.flatMap((p) => p ?? []).filter((p) => p.at >= from) };
      }),
    );
    for (const [key, entry] of this.closed) if (entry.bucket < buckets[0]! && key.startsWith(`${range}:`)) this.closed.delete(key);
    const slot = slotMs(this.sampleMs);
    // A node of several workers is one line of the breakdown: its workers' figures added up.
    const groups = new Map<string, NodeTraffic[]>();
    for (const p of perPublisher) groups.set(nodeOf(p.node), [...(groups.get(nodeOf(p.node)) ?? []), p]);
    const perNode = [...groups].map(([node, parts]) => (parts.length === 1 && parts[0]!.node === node ? parts[0]! : { node, points: addUp(parts, slot) }));
    return { points: addUp(perPublisher, slot), nodes: perNode };
  }
}

/** Points of every node on one time axis (slots of `slotMs`): rates add up, gauges take the largest. */
export function addUp(nodes: readonly NodeTraffic[], slotMs: number): TrafficPoint[] {
  const slots = new Map<number, Record<string, number>>();
  for (const n of nodes) {
    // One point per node and slot (the newest), so a node's timer drift never counts it twice.
    const mine = new Map<number, TrafficPoint>();
    for (const p of n.points) mine.set(Math.round(p.at / slotMs) * slotMs, p);
    for (const [slot, p] of mine) {
      let values = slots.get(slot);
      if (!values) slots.set(slot, (values = {}));
      for (const [k, v] of Object.entries(p.values)) {
        // The job queue is shared (each node sees all of it) and latencies do not add up.
        values[k] = k.startsWith('queued ') || k.startsWith('latency ') ? Math.max(values[k] ?? 0, v) : Math.round(((values[k] ?? 0) + v) * 100) / 100;
      }
    }
  }
  return [...slots.entries()].sort(([a], [b]) => a - b).map(([at, values]) => ({ at, values }));
}
