import { readFile, stat } from 'node:fs/promises';
import { AddressPrefixTable, type Address } from '@openmmsc/core';
import type { Lookup, LookupSource } from './lookup.js';
import type { LocalResolverOptions, OperatorOptions, PrefixResolverOptions, RangeResolverOptions } from './options.js';

interface RouteSpec {
  target?: string | undefined;
  destination?: string | undefined;
  operator?: string | undefined;
}

function answer(spec: RouteSpec): Lookup {
  if (spec.operator) return { kind: 'operator', id: spec.operator };
  return spec.destination ? { kind: 'route', target: spec.target ?? 'mm4', destination: spec.destination } : { kind: 'route', target: spec.target ?? 'mm4' };
}

type PrefixEntry = PrefixResolverOptions['routes'][number];

/** Longest-prefix table over numbers (`+…`), e-mail domains (`@…`), short codes (`#…`) and `*`. */
export class PrefixSource implements LookupSource {
  private readonly table: AddressPrefixTable<PrefixEntry>;
  readonly onError = 'next' as const;
  readonly onNotFound: 'next' | 'reject';

  constructor(readonly name: string, options: PrefixResolverOptions) {
    this.table = new AddressPrefixTable(options.routes);
    this.onNotFound = options.onNotFound;
  }

  async lookup(address: Address): Promise<Lookup> {
    const hit = this.table.match(address);
    return hit ? answer(hit) : { kind: 'not-found' };
  }
}

type RangeEntry = RangeResolverOptions['ranges'][number] & { lo: bigint; hi: bigint; digits: number };

/** Inclusive number ranges; the narrowest range containing the number wins. */
export class RangeSource implements LookupSource {
  private readonly ranges: RangeEntry[];
  readonly onError = 'next' as const;
  readonly onNotFound: 'next' | 'reject';

  constructor(readonly name: string, options: RangeResolverOptions) {
    this.ranges = options.ranges
      .map((r) => {
        if (r.from.length !== r.to.length) throw new Error(`range ${r.from}–${r.to}: from and to must have the same number of digits`);
        const lo = BigInt(r.from.slice(1));
        const hi = BigInt(r.to.slice(1));
        if (hi < lo) throw new Error(`range ${r.from}–${r.to}: to is below from`);
        return { ...r, lo, hi, digits: r.from.length - 1 };
      })
      .sort((a, b) => (a.hi - a.lo < b.hi - b.lo ? -1 : a.hi - a.lo > b.hi - b.lo ? 1 : 0));
    this.onNotFound = options.onNotFound;
  }

  async lookup(address: Address): Promise<Lookup> {
    if (address.type !== 'plmn') return { kind: 'skip' };
    const digits = address.value.slice(1);
    const n = BigInt(digits);
    const hit = this.ranges.find((r) => r.digits === digits.length && n >= r.lo && n <= r.hi);
    return hit ? answer(hit) : { kind: 'not-found' };
  }
}

/** The operators' own number blocks (where a number lives unless it was ported). */
export class OperatorPrefixSource implements LookupSource {
  private readonly entries: Array<{ prefix: string; id: string }>;
  readonly onError = 'next' as const;

  constructor(readonly name: string, operators: readonly OperatorOptions[], readonly onNotFound: 'next' | 'reject') {
    this.entries = operators.flatMap((o) => o.prefixes.map((prefix) => ({ prefix, id: o.id }))).sort((a, b) => b.prefix.length - a.prefix.length);
  }

  async lookup(address: Address): Promise<Lookup> {
    if (address.type !== 'plmn') return { kind: 'skip' };
    const hit = this.entries.find((e) => address.value.startsWith(e.prefix));
    return hit ? { kind: 'operator', id: hit.id } : { kind: 'not-found' };
  }
}

/** Numbers this MMSC serves itself: a list, blocks, and optionally a file re-read when it changes. */
export class LocalSubscriberSource implements LookupSource {
  private readonly numbers: Set<string>;
  private readonly prefixes: string[];
  private fileNumbers = new Set<string>();
  private fileMtime = -1;
  private checkedAt = 0;
  readonly onError = 'next' as const;
  readonly onNotFound: 'next' | 'reject';

  constructor(
    readonly name: string,
    options: LocalResolverOptions,
    private readonly file: string | undefined,
    private readonly now: () => number,
  ) {
    this.numbers = new Set(options.numbers);
    this.prefixes = [...options.prefixes].sort((a, b) => b.length - a.length);
    this.onNotFound = options.onNotFound;
  }

  async lookup(address: Address): Promise<Lookup> {
    if (address.type !== 'plmn') return { kind: 'skip' };
    await this.refresh();
    const v = address.value;
    if (this.numbers.has(v) || this.fileNumbers.has(v) || this.prefixes.some((p) => v.startsWith(p))) return { kind: 'route', target: 'local' };
    return { kind: 'not-found' };
  }

  /** Loads the file now (also called at start, so a missing file fails early). */
  async refresh(force = false): Promise<void> {
    if (!this.file) return;
    if (!force && this.now() - this.checkedAt < 1000) return;
    this.checkedAt = this.now();
    const info = await stat(this.file);
    if (!force && info.mtimeMs === this.fileMtime) return;
    const text = await readFile(this.file, 'utf8');
    const next = new Set<string>();
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) continue;
      if (!/^\+\d{2,15}$/.test(line)) throw new Error(`${this.file}: "${line}" is not an E.164 number`);
      next.add(line);
    }
    this.fileNumbers = next;
    this.fileMtime = info.mtimeMs;
  }
}
