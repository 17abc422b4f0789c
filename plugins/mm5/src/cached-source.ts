import type { Address } from '@openmmsc/core';
import { TtlCache, withSignal, type Lookup, type LookupSource } from './lookup.js';

/** The options every number-lookup source with a cache has (`enum`, `http`). */
export interface CachedSourceOptions {
  readonly cacheSize: number;
  readonly cacheTtlMs: number;
  readonly negativeTtlMs: number;
  readonly onNotFound: 'next' | 'reject';
  readonly onError?: 'defer' | 'reject' | 'next' | undefined;
}

/** One question in flight, shared by every lookup of its number that arrives meanwhile. */
interface Question {
  answer: Promise<Lookup>;
  /** Cancels the question: only once every lookup waiting for it has given up. */
  controller: AbortController;
  waiting: number;
}

/**
 * A source that asks a remote service about one number at a time (ENUM, an HLR gateway): answers
 * are cached ("not found" for `negativeTtlMs`, the others for `cacheTtlMs`), failures are not, and
 * concurrent lookups of the same number share one question. Each lookup gives up on its own
 * signal; the question itself is cancelled only when all of them have, so one caller's abort
 * never fails the others.
 */
export abstract class CachedNumberSource<Options extends CachedSourceOptions> implements LookupSource {
  private readonly cache: TtlCache<Lookup>;
  private readonly inFlight = new Map<string, Question>();
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
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    const question = this.question(address.value);
    question.waiting++;
    const giveUp = () => {
      if (--question.waiting === 0) question.controller.abort(signal.reason);
    };
    signal.addEventListener('abort', giveUp, { once: true });
    try {
      return await withSignal(question.answer, signal);
    } finally {
      signal.removeEventListener('abort', giveUp);
    }
  }

  /** The question in flight for this number, or a new one (never one already cancelled). */
  private question(e164: string): Question {
    const current = this.inFlight.get(e164);
    if (current && !current.controller.signal.aborted) return current;
    const controller = new AbortController();
    const answer = this.ask(e164, controller.signal).finally(() => {
      if (this.inFlight.get(e164) === question) this.inFlight.delete(e164);
    });
    // Nobody may be left to see a cancelled question's failure.
    answer.catch(() => undefined);
    const question: Question = { controller, waiting: 0, answer };
    this.inFlight.set(e164, question);
    return question;
  }

  /** Asks the service about one E.164 number; `remember` what is worth caching. */
  protected abstract ask(e164: string, signal: AbortSignal): Promise<Lookup>;

  protected remember(e164: string, result: Lookup): Lookup {
    this.cache.set(e164, result, result.kind === 'not-found' ? this.options.negativeTtlMs : this.options.cacheTtlMs);
    return result;
  }
}
