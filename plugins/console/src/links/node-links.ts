import type { KeyValueStore } from '@openmmsc/core';
import type { Log } from '../log.js';
import type { LinkState, LinkStatus } from './link-monitor.js';

const RANK: Record<LinkState, number> = { down: 0, degraded: 1, up: 2 };
/** How often a worker renews its place in the node's list of workers. */
const ANNOUNCE_MS = 60_000;

interface Published {
  at: number;
  links: LinkStatus[];
}

/**
 * The links of this node as a whole. In a node of several workers each worker has its own
 * connection to each link (its own SMPP binds, its own peers' last answers): each publishes what
 * it sees to the shared store, and every worker's page and alarms read all of them, a link being
 * as good as its worst worker (the detail says which). A single-process node reads its own.
 */
export class NodeLinks {
  private latest: LinkStatus[] = [];
  private announcedAt = -Infinity;
  /** The lowest slot among the workers heard from at the last refresh. */
  private speaker: number | undefined;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly node: string,
    /** This worker's slot; undefined: a single process. */
    private readonly worker: number | undefined,
    /** How long a worker's list counts without being renewed (a few samples). */
    private readonly freshMs: number,
    private readonly now: () => number,
    private readonly log: Log,
  ) {}

  private key(slot: number): string {
    return `links:${this.node}:${slot}`;
  }

  /** Where the node's workers list themselves (no worker needs to know how many there are). */
  private get slotsKey(): string {
    return `links:${this.node}:workers`;
  }

  /**
   * Whether this process speaks for the node (announces its alarms): a single process always; in
   * a node of several workers, the lowest-numbered one still publishing, so that while worker 1
   * restarts the next one speaks instead of nobody.
   */
  speaks(): boolean {
    return this.worker === undefined || this.speaker === this.worker;
  }

  /** The node's links as last refreshed (what the page and the alarms show). */
  list(): LinkStatus[] {
    return this.latest;
  }

  /** Publishes this worker's view (`own`) and reads the node's again; answers it. */
  async refresh(own: readonly LinkStatus[]): Promise<LinkStatus[]> {
    await this.publish(own);
    this.latest = await this.read(own);
    return this.latest;
  }

  private async publish(links: readonly LinkStatus[]): Promise<void> {
    if (this.worker === undefined) return;
    const slot = this.worker;
    const at = this.now();
    try {
      await this.kv.set<Published>(this.key(slot), { at, links: [...links] }, this.freshMs);
      if (at - this.announcedAt >= ANNOUNCE_MS) {
        this.announcedAt = at;
        await this.kv.update<number[]>(this.slotsKey, (current) => [...new Set([...(current ?? []), slot])].sort((a, b) => a - b));
      }
    } catch (error) {
      this.log.warn({ err: error }, 'console: could not publish this worker’s links');
    }
  }

  /** The node's links: `own` when a single process, else every worker's merged (worst state wins). */
  private async read(own: readonly LinkStatus[]): Promise<LinkStatus[]> {
    if (this.worker === undefined) return [...own];
    const mine = this.worker;
    const listed = (await this.kv.get<number[]>(this.slotsKey).catch(() => undefined)) ?? [];
    const slots = [...new Set([...listed, mine])];
    const lists = await Promise.all(
      slots.map(async (slot) => {
        if (slot === mine) return { slot, links: own };
        const p = await this.kv.get<Published>(this.key(slot)).catch(() => undefined);
        // A worker that stopped publishing (restarting) is left out until it speaks again.
        return p && this.now() - p.at <= this.freshMs ? { slot, links: p.links } : undefined;
      }),
    );
    this.speaker = Math.min(...lists.flatMap((l) => (l ? [l.slot] : [])));
    const merged = new Map<string, LinkStatus>();
    for (const list of lists) {
      if (!list) continue;
      for (const l of list.links) {
        const key = `${l.kind}\u0000${l.name}`;
        const seen = merged.get(key);
        const named = l.state !== 'up' ? { ...l, detail: `worker ${list.slot}: ${l.detail}` } : l;
        if (!seen || RANK[l.state] < RANK[seen.state] || (l.state === seen.state && l.since < seen.since)) merged.set(key, named);
      }
    }
    return [...merged.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  }
}
