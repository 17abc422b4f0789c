import { FINAL_STATES, type KeyValueStore, type MmscRuntime, type RecipientState } from '@openmmsc/core';
import { bucketOf, chunkCountKey, chunkKey, type IndexEntry } from './index-entry.js';

export interface SearchQuery {
  /** A message id: read straight from the store, no scan. */
  id?: string;
  /** MSISDN or e-mail address of the sender or of any recipient. */
  address?: string;
  vasp?: string;
  iface?: string;
  /** Some recipient is in this state now. */
  state?: RecipientState | 'pending';
  since?: number;
  until?: number;
}

export interface SearchHit extends IndexEntry {
  /** Each recipient's state now (absent when the message is no longer stored). */
  states?: RecipientState[];
}

export interface SearchResult {
  hits: SearchHit[];
  /** Index entries read. */
  scanned: number;
  /** The time range actually scanned. */
  since: number;
  until: number;
  /** Why the search stopped before the start of the range, if it did. */
  stopped?: string;
}

export interface SearchLimits {
  maxWindow: number;
  maxScan: number;
  maxResults: number;
}

/**
 * A bounded scan of the index, newest minute first, within `maxWindow`, reading at most `maxScan`
 * entries and listing at most `maxResults` messages; the answer says where it stopped.
 */
export async function searchMessages(kv: KeyValueStore, mmsc: MmscRuntime, q: SearchQuery, limits: SearchLimits, now: number): Promise<SearchResult> {
  const until = q.until ?? now;
  const requestedSince = q.since ?? until - limits.maxWindow;
  const since = Math.max(requestedSince, until - limits.maxWindow);
  const result: SearchResult = { hits: [], scanned: 0, since, until };
  if (q.id) {
    const m = await mmsc.getMessage(q.id.trim());
    if (m) {
      const recipients = await mmsc.getRecipients(m.id);
      const hit: SearchHit = { id: m.id, at: m.receivedAt, iface: m.origin.interface, from: m.headers.from.value, to: recipients.map((r) => r.address.value), states: recipients.map((r) => r.state) };
      if (m.headers.subject?.text) hit.subject = m.headers.subject.text;
      result.hits.push(hit);
    }
    return result;
  }
  if (requestedSince < since) result.stopped = `the range was cut to the newest ${Math.round(limits.maxWindow / 3_600_000)} h (trace.maxWindow)`;
  const wanted = addressMatcher(mmsc, q.address);
  for (let bucket = bucketOf(until); bucket >= bucketOf(since); bucket--) {
    const count = (await kv.get<number>(chunkCountKey(bucket))) ?? 0;
    for (let n = count; n >= 1; n--) {
      const entries = (await kv.get<IndexEntry[]>(chunkKey(bucket, n))) ?? [];
      result.scanned += entries.length;
      for (let i = entries.length - 1; i >= 0; i--) {
        const e = entries[i]!;
        if (e.at < since || e.at > until) continue;
        if (q.vasp && e.vasp !== q.vasp) continue;
        if (q.iface && e.iface !== q.iface) continue;
        if (wanted && !wanted(e)) continue;
        const hit = await withStates(mmsc, e);
        if (q.state && !stateMatches(hit.states, q.state)) continue;
        result.hits.push(hit);
        if (result.hits.length >= limits.maxResults) {
          result.stopped = `${limits.maxResults} messages listed (trace.maxResults); narrow the search`;
          return result;
        }
      }
      if (result.scanned >= limits.maxScan) {
        result.stopped = `${result.scanned} index entries read (trace.maxScan); narrow the time range`;
        return result;
      }
    }
  }
  return result;
}

function addressMatcher(mmsc: MmscRuntime, raw: string | undefined): ((e: IndexEntry) => boolean) | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  const values = new Set([text, text.toLowerCase()]);
  try {
    values.add(mmsc.parseAddress(text).value);
  } catch {
    // not an address the kernel parses: match it as typed
  }
  return (e) => values.has(e.from) || values.has(e.from.toLowerCase()) || e.to.some((t) => values.has(t) || values.has(t.toLowerCase()));
}

async function withStates(mmsc: MmscRuntime, e: IndexEntry): Promise<SearchHit> {
  const recipients = await mmsc.getRecipients(e.id).catch(() => []);
  return recipients.length > 0 ? { ...e, states: recipients.map((r) => r.state) } : { ...e };
}

function stateMatches(states: RecipientState[] | undefined, wanted: RecipientState | 'pending'): boolean {
  if (!states) return false;
  return wanted === 'pending' ? states.some((s) => !FINAL_STATES.has(s)) : states.includes(wanted);
}
