import type { Address } from '@openmmsc/core';

/** What one MM5 source answers for a number. */
export type Lookup =
  /** A direct route (tables). */
  | { kind: 'route'; target: string; destination?: string }
  /** The number belongs to this operator (from `operators`). */
  | { kind: 'operator'; id: string }
  /** The number is served by the MMSC of this MMS domain. */
  | { kind: 'domain'; domain: string; target?: string }
  /** The source knows the kind of address but not this number. */
  | { kind: 'not-found' }
  /** The source does not handle this kind of address (e.g. ENUM for an e-mail address). */
  | { kind: 'skip' }
  /** The lookup failed; `permanent` failures are not worth retrying. */
  | { kind: 'error'; message: string; permanent?: boolean };

/** One configured MM5 source (a table, ENUM, an HLR gateway…). */
export interface LookupSource {
  readonly name: string;
  readonly onNotFound: 'next' | 'reject';
  readonly onError: 'defer' | 'reject' | 'next';
  lookup(address: Address, signal: AbortSignal): Promise<Lookup>;
  close?(): void;
}

/** Fills `{name}` / `{name:3}` placeholders; `undefined` when a referenced value is missing. */
export function fillTemplate(template: string, values: Record<string, string | undefined>): string | undefined {
  let missing = false;
  const out = template.replace(/\{([A-Za-z0-9_.-]+)(?::(\d+))?\}/g, (_m, key: string, pad: string | undefined) => {
    const value = values[key];
    if (value === undefined || value === '') {
      missing = true;
      return '';
    }
    return pad ? value.padStart(Number(pad), '0') : value;
  });
  return missing ? undefined : out;
}

/** A small TTL cache with a size bound (oldest entries go first). */
export class TtlCache<V> {
  private readonly map = new Map<string, { value: V; expires: number }>();
  constructor(private readonly maxEntries: number, private readonly now: () => number) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.map.delete(key);
    this.map.set(key, { value, expires: this.now() + ttlMs });
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
  }

  get size(): number {
    return this.map.size;
  }
}

/** Runs `fn` but gives up when `signal` aborts. */
export function withSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
