import type { Clock, KeyValueStore, MessageContext } from '@openmmsc/core';
import type { Log } from '../log.js';
import { bucketOf, chunkCountKey, chunkKey, type IndexEntry } from './index-entry.js';

/**
 * Writes the search index: each submission's entry is buffered and written with the others of the
 * same minute as one chunk every `flushMs` (one counter update and one write per minute that had
 * traffic, whatever the rate), into the shared store, so every node's submissions are searchable
 * from any node. A node that dies loses at most its last unflushed batch of index entries (the
 * messages themselves are stored as always, and reachable by id).
 */
export class IndexWriter {
  private pending: IndexEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** The last minute whose chunk counter was removed (counters cannot carry a TTL: see `sweep`). */
  private swept: number | undefined;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly opts: { flushMs: number; retention: number },
  ) {}

  /** The `store` hook: runs once per accepted submission, just before the kernel persists it. */
  add(ctx: MessageContext): void {
    const entry: IndexEntry = {
      id: ctx.id,
      at: ctx.receivedAt,
      iface: ctx.origin.interface,
      from: ctx.message.headers.from.value,
      to: ctx.recipients.map((r) => r.address.value),
    };
    const vasp = ctx.origin.attributes?.vaspId;
    if (typeof vasp === 'string') entry.vasp = vasp;
    const subject = ctx.message.headers.subject?.text;
    if (subject) entry.subject = subject.slice(0, 120);
    this.pending.push(entry);
    this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs);
  }

  /** Writes what is buffered; resolves when every earlier batch is written. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  private async write(batch: IndexEntry[]): Promise<void> {
    const byBucket = new Map<number, IndexEntry[]>();
    for (const e of batch) {
      const b = bucketOf(e.at);
      const list = byBucket.get(b);
      if (list) list.push(e);
      else byBucket.set(b, [e]);
    }
    for (const [bucket, entries] of byBucket) {
      try {
        const n = await this.kv.update<number>(chunkCountKey(bucket), (c) => (c ?? 0) + 1);
        await this.kv.set(chunkKey(bucket, n), entries, this.opts.retention);
      } catch (error) {
        this.log.warn({ err: error, entries: entries.length }, 'console: could not write search index entries (the messages are stored; search by id still finds them)');
      }
    }
    await this.sweep().catch((error: unknown) => this.log.debug({ err: error }, 'console: index sweep failed'));
  }

  /**
   * Chunks expire with their TTL, but a minute's chunk counter is updated atomically and so keeps
   * no TTL: counters older than the retention are removed here, a few per batch (the first
   * batches after a start catch up on the day before the retention horizon).
   */
  private async sweep(): Promise<void> {
    const horizon = bucketOf(this.clock.now() - this.opts.retention);
    this.swept ??= horizon - 1440;
    for (let budget = 60; budget > 0 && this.swept < horizon; budget--) {
      this.swept++;
      await this.kv.delete(chunkCountKey(this.swept));
    }
  }
}
