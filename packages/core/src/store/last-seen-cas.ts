import { BoundedMap } from '../util/bounded-map.js';
import type { AtomicUpdate } from './keyv-message-store.js';
import { decodeValue, encodeValue } from './value-codec.js';

/** Records whose last text a node remembers, as the first guess of a compare-and-set. */
const REMEMBERED = 2048;

/** Rounds of read and compare-and-set before contention is reported. */
const ROUNDS = 100;

/**
 * A server store's compare-and-set of one key's text: writes `next` only if the key holds
 * `expected` (`undefined`: only if the key is absent), and tells whether it wrote.
 */
export type CompareAndSet = (key: string, expected: string | undefined, next: string) => Promise<boolean>;

/**
 * Optimistic read-modify-write for a store several nodes update (Redis, PostgreSQL), which starts
 * from the text this node last saw for the key when it has one. A record is mostly moved right
 * after it was read or moved here (found, then moved; notified, then retrieved), so the move
 * costs the compare-and-set alone, not a read before it. The compare-and-set checks the guess
 * against the key: a guess made stale by another node costs only the read it would have cost
 * anyway. What is remembered never answers a read.
 *
 * The adapter tells it what its reads found (`saw`) and what its writes and deletes make unknown
 * (`forget`).
 */
export class LastSeenCas implements AtomicUpdate {
  readonly #seen = new BoundedMap<string, string>(REMEMBERED);
  readonly #read: (key: string) => Promise<string | undefined>;
  readonly #cas: CompareAndSet;

  constructor(read: (key: string) => Promise<string | undefined>, cas: CompareAndSet) {
    this.#read = read;
    this.#cas = cas;
  }

  /** What a read found under `key` (`undefined`: absent), remembered and returned. */
  saw(key: string, raw: string | undefined): string | undefined {
    if (raw === undefined) this.#seen.delete(key);
    else this.#seen.set(key, raw);
    return raw;
  }

  /** A write on its way, or a delete: the text last seen is neither old nor new. */
  forget(key: string): void {
    this.#seen.delete(key);
  }

  async modify<T>(key: string, fn: (current: T | undefined) => T): Promise<T> {
    const guess = this.#seen.get(key);
    if (guess !== undefined) {
      const written = await this.#casFrom(key, guess, fn).catch(() => undefined);
      // Stale (or `fn` refused the older value): as if there had been no guess.
      if (written) return written.next;
    }
    for (let round = 0; round < ROUNDS; round++) {
      const written = await this.#casFrom(key, await this.#read(key), fn);
      if (written) return written.next;
    }
    throw new Error(`too much contention updating ${key}`);
  }

  /** `fn` applied to `raw`, written if the key still holds `raw`; undefined when it did not. */
  async #casFrom<T>(key: string, raw: string | undefined, fn: (current: T | undefined) => T): Promise<{ next: T } | undefined> {
    const next = fn(raw === undefined ? undefined : decodeValue<{ value?: T }>(raw).value);
    const text = encodeValue({ value: next });
    if (!(await this.#cas(key, raw, text))) {
      this.#seen.delete(key);
      return undefined;
    }
    this.#seen.set(key, text);
    return { next };
  }
}
