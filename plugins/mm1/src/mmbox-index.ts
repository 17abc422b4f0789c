import type { KeyValueStore } from '@openmmsc/core';
import type { MmState } from '@openmmsc/codec';

/** One message in a subscriber's MMBox; its content is a kept message (`mmsc.keep`) of the same id. */
export interface BoxEntry {
  /** Id of the kept message holding the content (also what the `/b/<token>` names). */
  id: string;
  state: MmState;
  /** X-Mms-MM-Flags keywords, in the order they were added. */
  flags: string[];
  /** Bytes counted against the quota (the content's parts together). */
  size: number;
  storedAt: number;
  expiresAt: number;
  /** What it is a copy of (`sent:<id>`, `received:<id>:<index>`, …): a repeated request stores nothing twice. */
  source: string;
}

export interface BoxQuota {
  messages: number;
  bytes: number;
}

export interface BoxTotals {
  messages: number;
  bytes: number;
}

/** What an attempt to add an entry came to. */
export type AddOutcome =
  | { kind: 'added'; entry: BoxEntry }
  /** The same source was stored before: that entry (nothing new added). */
  | { kind: 'exists'; entry: BoxEntry }
  | { kind: 'full'; why: string };

interface BoxRecord {
  entries: BoxEntry[];
}

/**
 * Every subscriber's MMBox index: the entries (state, flags, size, expiry) of one subscriber in
 * one entry of the plugin's store (`mmbox:<msisdn>`), changed only through the store's atomic
 * read-modify-write, so two requests on two nodes of a cluster never lose each other's change and
 * the quota holds even when they race. Entries past their expiry are left out on every read and
 * dropped on the next write (their content is purged by the kernel at the same time).
 */
export class BoxIndex {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly now: () => number,
  ) {}

  private key(owner: string): string {
    return `mmbox:${owner}`;
  }

  private live(record: BoxRecord | undefined, at: number): BoxEntry[] {
    return (record?.entries ?? []).filter((e) => e.expiresAt > at);
  }

  /** The owner's entries, oldest first. */
  async list(owner: string): Promise<BoxEntry[]> {
    return this.live(await this.kv.get<BoxRecord>(this.key(owner)), this.now());
  }

  async find(owner: string, id: string): Promise<BoxEntry | undefined> {
    return (await this.list(owner)).find((e) => e.id === id);
  }

  async bySource(owner: string, source: string): Promise<BoxEntry | undefined> {
    return (await this.list(owner)).find((e) => e.source === source);
  }

  /** Adds an entry if the quota has room for it (and its source is not stored yet). */
  async add(owner: string, entry: BoxEntry, quota: BoxQuota): Promise<AddOutcome> {
    let outcome: AddOutcome = { kind: 'full', why: '' };
    await this.kv.update<BoxRecord>(this.key(owner), (current) => {
      const entries = this.live(current, this.now());
      const same = entries.find((e) => e.source === entry.source);
      if (same) {
        outcome = { kind: 'exists', entry: same };
        return { entries };
      }
      const totals = totalsOf(entries);
      if (totals.messages + 1 > quota.messages) {
        outcome = { kind: 'full', why: `the MMBox holds ${totals.messages} of at most ${quota.messages} messages` };
        return { entries };
      }
      if (totals.bytes + entry.size > quota.bytes) {
        outcome = { kind: 'full', why: `the message (${entry.size} bytes) does not fit: the MMBox holds ${totals.bytes} of at most ${quota.bytes} bytes` };
        return { entries };
      }
      outcome = { kind: 'added', entry };
      return { entries: [...entries, entry] };
    });
    return outcome;
  }

  /** Changes one entry; undefined when the owner has no such entry. */
  async change(owner: string, id: string, fn: (entry: BoxEntry) => BoxEntry): Promise<BoxEntry | undefined> {
    let changed: BoxEntry | undefined;
    await this.kv.update<BoxRecord>(this.key(owner), (current) => {
      changed = undefined;
      const entries = this.live(current, this.now()).map((e) => (e.id === id ? (changed = fn(e)) : e));
      return { entries };
    });
    return changed;
  }

  /** Removes entries by id; resolves to those that were there. */
  async remove(owner: string, ids: readonly string[]): Promise<BoxEntry[]> {
    let removed: BoxEntry[] = [];
    const wanted = new Set(ids);
    await this.kv.update<BoxRecord>(this.key(owner), (current) => {
      const entries = this.live(current, this.now());
      removed = entries.filter((e) => wanted.has(e.id));
      return { entries: entries.filter((e) => !wanted.has(e.id)) };
    });
    return removed;
  }
}

export function totalsOf(entries: readonly BoxEntry[]): BoxTotals {
  let bytes = 0;
  for (const e of entries) bytes += e.size;
  return { messages: entries.length, bytes };
}

/** X-Mms-MM-Flags applied to a keyword list: Add-token adds, Remove-token removes (Filter-token is for views). */
export function applyFlags(flags: readonly string[], changes: readonly { action: string | number; keyword: { text: string } }[] | undefined): string[] {
  const out = [...flags];
  for (const c of changes ?? []) {
    const word = c.keyword.text;
    if (!word) continue;
    if (c.action === 'add' && !out.includes(word)) out.push(word);
    else if (c.action === 'remove') {
      const at = out.indexOf(word);
      if (at >= 0) out.splice(at, 1);
    }
  }
  return out;
}
