import type { KeyValueStore, RequestHeaders } from '@openmmsc/core';
import type { HandsetClass, HandsetsOptions } from './dialect-options.js';

/** The wire choices for one handset (see README, "Handset dialects"). */
export interface Dialect {
  /** The class that matched, or `default`. */
  readonly name: string;
  readonly expiry: 'relative' | 'absolute';
  readonly acknowledgeStatus: 200 | 204;
  readonly mmsVersion: string;
  /** Base of Content-Location; undefined: the plugin's own. */
  readonly publicUrl: string | undefined;
}

/** What is known about a handset: its number (when a trusted gateway said so) and what it sent. */
export interface HandsetFacts {
  msisdn?: string | undefined;
  userAgent?: string | undefined;
  uaProf?: string | undefined;
}

interface Remembered {
  ua?: string;
  prof?: string;
  at: number;
}

interface CompiledClass {
  cls: HandsetClass;
  userAgent: RegExp[];
  uaProf: RegExp[];
}

const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.trim() || undefined;
}

/** User-Agent and UAProf URL (`x-wap-profile`, or `Profile` of older stacks) of a request. */
export function factsFromHeaders(headers: RequestHeaders): Pick<HandsetFacts, 'userAgent' | 'uaProf'> {
  const profile = first(headers['x-wap-profile']) ?? first(headers.profile);
  // x-wap-profile is a quoted URL, sometimes followed by profile-diff references.
  const uaProf = profile?.split(/\s*,\s*/)[0]?.replace(/^"|"$/g, '') || undefined;
  return { userAgent: first(headers['user-agent']), uaProf };
}

/**
 * Picks each handset's dialect: the first class whose User-Agent, UAProf or MSISDN range matches,
 * else the defaults. A notification is pushed before the handset has made any request, so for
 * pushes the class comes from the MSISDN range or from the User-Agent / UAProf the subscriber's
 * handset sent last (kept in the plugin's store for `handsets.remember`).
 */
export class HandsetDialects {
  private readonly classes: CompiledClass[];
  private readonly fallback: Dialect;
  private readonly byName = new Map<string, Dialect>();
  /** Whether any class looks at User-Agent or UAProf (else there is nothing worth remembering). */
  private readonly learns: boolean;
  /** msisdn → what is stored (or known absent), with when this node last read or wrote it. */
  private readonly cache = new Map<string, { value: Remembered | undefined; until: number }>();

  constructor(
    private readonly options: HandsetsOptions,
    mmsVersion: string,
    private readonly kv: KeyValueStore,
    private readonly now: () => number,
  ) {
    const d = options.dialect;
    const base = (url: string | undefined) => url?.replace(/\/+$/, '');
    this.fallback = { name: 'default', expiry: d.expiry, acknowledgeStatus: d.acknowledgeStatus, mmsVersion: d.mmsVersion ?? mmsVersion, publicUrl: base(d.publicUrl) };
    this.classes = options.classes.map((cls) => ({
      cls,
      userAgent: cls.match.userAgent.map((s) => new RegExp(s, 'i')),
      uaProf: cls.match.uaProf.map((s) => new RegExp(s, 'i')),
    }));
    this.learns = options.remember > 0 && this.classes.some((c) => c.userAgent.length > 0 || c.uaProf.length > 0);
    for (const { cls } of this.classes) {
      const o = cls.dialect;
      this.byName.set(cls.name, {
        name: cls.name,
        expiry: o.expiry ?? this.fallback.expiry,
        acknowledgeStatus: o.acknowledgeStatus ?? this.fallback.acknowledgeStatus,
        mmsVersion: o.mmsVersion ?? this.fallback.mmsVersion,
        publicUrl: base(o.publicUrl) ?? this.fallback.publicUrl,
      });
    }
  }

  /** The dialect for what is known about a handset. */
  resolve(facts: HandsetFacts): Dialect {
    const { userAgent: ua, uaProf: prof, msisdn } = facts;
    for (const { cls, userAgent, uaProf } of this.classes) {
      if (
        (ua !== undefined && userAgent.some((r) => r.test(ua))) ||
        (prof !== undefined && uaProf.some((r) => r.test(prof))) ||
        (msisdn !== undefined && cls.match.msisdn.some((prefix) => msisdn.startsWith(prefix)))
      ) {
        return this.byName.get(cls.name)!;
      }
    }
    return this.fallback;
  }

  /**
   * The dialect of an HTTP request. When a trusted gateway named the subscriber, what the
   * handset sent is remembered for later pushes to that subscriber.
   */
  async forRequest(headers: RequestHeaders, msisdn?: string): Promise<Dialect> {
    const facts = { msisdn, ...factsFromHeaders(headers) };
    if (this.learns && msisdn && (facts.userAgent || facts.uaProf)) {
      // Best effort: a store hiccup must not fail the handset's request; the next request writes again.
      await this.remember(msisdn, facts).catch(() => undefined);
    }
    return this.resolve(facts);
  }

  /** The dialect for a push to a subscriber (no request to look at). */
  async forSubscriber(msisdn: string): Promise<Dialect> {
    if (this.classes.length === 0) return this.fallback;
    const seen = this.learns ? await this.recall(msisdn) : undefined;
    return this.resolve({ msisdn, userAgent: seen?.ua, uaProf: seen?.prof });
  }

  private async remember(msisdn: string, facts: HandsetFacts): Promise<void> {
    const ttl = this.options.remember;
    const now = this.now();
    const cached = this.cache.get(msisdn);
    const same = cached?.value && cached.value.ua === facts.userAgent && cached.value.prof === facts.uaProf;
    // Unchanged and written recently: no store write per request; refreshed once per half TTL.
    if (same && cached.value!.at + ttl / 2 > now) return;
    const value: Remembered = { at: now };
    if (facts.userAgent) value.ua = facts.userAgent.slice(0, 512);
    if (facts.uaProf) value.prof = facts.uaProf.slice(0, 512);
    await this.kv.set(`handset:${msisdn}`, value, ttl);
    this.put(msisdn, value, now);
  }

  private async recall(msisdn: string): Promise<Remembered | undefined> {
    const now = this.now();
    const cached = this.cache.get(msisdn);
    if (cached && cached.until > now) return cached.value;
    const value = await this.kv.get<Remembered>(`handset:${msisdn}`);
    this.put(msisdn, value, now);
    return value;
  }

  private put(msisdn: string, value: Remembered | undefined, now: number): void {
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(msisdn, { value, until: now + CACHE_MS });
  }
}

/** An acknowledgement (an answer with no PDU and no body) in the handset's dialect: 200 or 204. */
export function acknowledgement<T extends { status: number; body?: unknown }>(answer: T, dialect: Dialect): T {
  return answer.status === 204 && answer.body === undefined ? { ...answer, status: dialect.acknowledgeStatus } : answer;
}

/** X-Mms-Expiry in the handset's dialect: seconds left (at least 1), or the date itself. */
export function expiryIn(dialect: Dialect, expiry: Date, now: number): { absolute: Date } | { relativeSeconds: number } {
  if (dialect.expiry === 'absolute') return { absolute: expiry };
  return { relativeSeconds: Math.max(1, Math.ceil((expiry.getTime() - now) / 1000)) };
}
