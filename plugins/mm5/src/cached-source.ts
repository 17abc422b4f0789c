import type { Address } from '@openmmsc/core';
import { TtlCache, type Lookup, type LookupSource } from './lookup.js';

/** The options every number-lookup source with a cache has (`enum`, `http`). */
export interface CachedSourceOptions {
  readonly cacheSize: number;
  readonly cacheTtlMs: number;
  readonly negativeTtlMs: number;
  readonly onNotFound: 'next' | 'reject';
  readonly onError?: 'defer' | 'reject' | 'next' | undefined;
}

/**
 * A source that asks a remote service about one number at a time (ENUM, an HLR gateway): answers
 * are cached ("not found" for `negativeTtlMs`, the others for `cacheTtlMs`), failures are not, and
 * concurrent lookups of the same number share one question.
 */
export abstract class CachedNumberSource<Options extends CachedSourceOptions> implements LookupSource {
  private readonly cache: TtlCache<Lookup>;
  private readonly inFlight = new Map<string, Promise<Lookup>>();
  readonly onNotFound: 'next' | 'reject';
  readonly onError: 'defer' | 'reject' | 'next';

  constructor(
    readonly name: string,
    protected readonly options: Options,
    defaultOnError: 'defer' | 'reject' | 'next',
    now: () => number,
  ) {
    this.cache = new TtlCache(options.cacheSize, now);
    this.onNotFound = options.onNotFound;
    this.onError = options.onError ?? defaultOnError;
  }

  async lookup(address: Address, signal: AbortSignal): Promise<Lookup> {
    if (address.type !== 'plmn') return { kind: 'skip' };
    const cached = this.cache.get(address.value);
    if (cached) return cached;
    let pending = this.inFlight.get(address.value);
    if (!pending) {
      pending = this.ask(address.value, signal).finally(() => this.inFlight.delete(address.value));
      this.inFlight.set(address.value, pending);
    }
    return this.await(pending, signal);
  }

  /** Asks the service about one E.164 number; `remember` what is worth caching. */
  protected abstract ask(e164: string, signal: AbortSignal): Promise<Lookup>;

  /** How a lookup waits for a (possibly shared) question; the ENUM source gives up on abort. */
  protected await(pending: Promise<Lookup>, _signal: AbortSignal): Promise<Lookup> {
    return pending;
  }

  protected remember(e164: string, result: Lookup): Lookup {
    this.cache.set(e164, result, result.kind === 'not-found' ? this.options.negativeTtlMs : this.options.cacheTtlMs);
    return result;
  }
}
