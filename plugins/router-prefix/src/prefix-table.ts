import { ADDRESS_TYPES, type Address, type AddressType, type CatchAllFact, type ResolverFacts, type Resolution } from '@openmmsc/core';
import type { PrefixRouterOptions } from './options.js';

type Entry = PrefixRouterOptions['routes'][number];

/** Longest-prefix match, kept sorted so the first hit is the longest. */
export class PrefixTable {
  private readonly numbers: Entry[];
  private readonly domains: Entry[];
  private readonly shortCodes: Entry[];
  private readonly fallback: Entry | undefined;
  private readonly unmatched: PrefixRouterOptions['unmatched'];

  constructor(options: PrefixRouterOptions) {
    const byLength = (a: Entry, b: Entry) => b.prefix.length - a.prefix.length;
    this.numbers = options.routes.filter((r) => r.prefix.startsWith('+')).sort(byLength);
    this.domains = options.routes
      .filter((r) => r.prefix.startsWith('@'))
      .map((r) => ({ ...r, prefix: r.prefix.toLowerCase() }))
      .sort(byLength);
    this.shortCodes = options.routes.filter((r) => r.prefix.startsWith('#')).sort(byLength);
    this.fallback = options.routes.find((r) => r.prefix === '*');
    this.unmatched = options.unmatched;
  }

  resolve(address: Address): Resolution | undefined {
    const hit = this.match(address) ?? this.fallback;
    if (hit) {
      return { kind: 'route', route: hit.destination ? { target: hit.target, destination: hit.destination } : { target: hit.target } };
    }
    if (this.unmatched === 'reject') {
      return { kind: 'reject', reason: { code: 'address-unresolved', message: `no route for ${address.value}` } };
    }
    return undefined;
  }

  private match(address: Address): Entry | undefined {
    switch (address.type) {
      case 'plmn':
        return this.numbers.find((r) => address.value.startsWith(r.prefix));
      case 'email': {
        const domain = address.value.slice(address.value.lastIndexOf('@') + 1);
        // A bare `@` is every domain: the READMEs' catch-all e-mail route.
        return this.domains.find((r) => {
          const d = r.prefix.slice(1);
          return d === '' || domain === d || domain.endsWith(`.${d}`);
        });
      }
      case 'shortcode':
        return this.shortCodes.find((r) => address.value.startsWith(r.prefix.slice(1)));
      default:
        return undefined;
    }
  }
}

/** Which addresses an entry can match: `*` any, `+…` numbers, `@…` e-mail, `#…` short codes. */
function entryTypes(prefix: string): readonly AddressType[] {
  if (prefix === '*') return ADDRESS_TYPES;
  if (prefix.startsWith('+')) return ['plmn'];
  if (prefix.startsWith('@')) return ['email'];
  return ['shortcode'];
}

/** What the table answers, for the kernel's configuration checks. */
export function prefixTableFacts(options: PrefixRouterOptions): ResolverFacts {
  const answers = new Set<AddressType>();
  const catchAll: CatchAllFact[] = [];
  options.routes.forEach((route, i) => {
    const types = entryTypes(route.prefix);
    for (const t of types) answers.add(t);
    // A prefix of nothing but its marker matches every address of its kind.
    if (route.prefix.length === 1) catchAll.push({ types, option: ['routes', i] });
  });
  if (options.unmatched === 'reject') {
    for (const t of ADDRESS_TYPES) answers.add(t);
    catchAll.push({ types: ADDRESS_TYPES, option: ['unmatched'] });
  }
  return { targets: [...new Set(options.routes.map((r) => r.target))], answers: [...answers], catchAll };
}
