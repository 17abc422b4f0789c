import { ADDRESS_TYPES, AddressPrefixTable, prefixAddressTypes, type Address, type AddressType, type CatchAllFact, type ResolverFacts, type Resolution } from '@openmmsc/core';
import type { PrefixRouterOptions } from './options.js';

type Entry = PrefixRouterOptions['routes'][number];

/** The router's table: the longest matching prefix gives the route; `unmatched` says what no match means. */
export class PrefixTable {
  private readonly table: AddressPrefixTable<Entry>;
  private readonly unmatched: PrefixRouterOptions['unmatched'];

  constructor(options: PrefixRouterOptions) {
    this.table = new AddressPrefixTable(options.routes);
    this.unmatched = options.unmatched;
  }

  resolve(address: Address): Resolution | undefined {
    const hit = this.table.match(address);
    if (hit) {
      return { kind: 'route', route: hit.destination ? { target: hit.target, destination: hit.destination } : { target: hit.target } };
    }
    if (this.unmatched === 'reject') {
      return { kind: 'reject', reason: { code: 'address-unresolved', message: `no route for ${address.value}` } };
    }
    return undefined;
  }
}

/** What the table answers, for the kernel's configuration checks. */
export function prefixTableFacts(options: PrefixRouterOptions): ResolverFacts {
  const answers = new Set<AddressType>();
  const catchAll: CatchAllFact[] = [];
  options.routes.forEach((route, i) => {
    const types = prefixAddressTypes(route.prefix);
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
