import { ADDRESS_TYPES } from '../plugin/plugin-facts.js';
import type { Address, AddressType } from './address.js';

/**
 * A longest-prefix table over addresses, the one routers (router-prefix, MM5) share. Each entry's
 * `prefix` is `+…` (numbers starting so), `@…` (an e-mail domain and its subdomains; a bare `@` is
 * every e-mail address), `#…` (short codes starting so) or `*` (any address no other entry matches).
 */
export class AddressPrefixTable<Entry extends { readonly prefix: string }> {
  private readonly numbers: Entry[];
  private readonly domains: Array<{ domain: string; entry: Entry }>;
  private readonly shortCodes: Entry[];
  private readonly fallback: Entry | undefined;

  constructor(entries: readonly Entry[]) {
    const byLength = (a: Entry, b: Entry) => b.prefix.length - a.prefix.length;
    this.numbers = entries.filter((e) => e.prefix.startsWith('+')).sort(byLength);
    this.domains = entries
      .filter((e) => e.prefix.startsWith('@'))
      .sort(byLength)
      .map((entry) => ({ domain: entry.prefix.slice(1).toLowerCase(), entry }));
    this.shortCodes = entries.filter((e) => e.prefix.startsWith('#')).sort(byLength);
    this.fallback = entries.find((e) => e.prefix === '*');
  }

  /** The entry with the longest prefix matching `address`, else the `*` entry, else undefined. */
  match(address: Address): Entry | undefined {
    return this.matchPrefix(address) ?? this.fallback;
  }

  private matchPrefix(address: Address): Entry | undefined {
    switch (address.type) {
      case 'plmn':
        return this.numbers.find((e) => address.value.startsWith(e.prefix));
      case 'email': {
        const domain = address.value.slice(address.value.lastIndexOf('@') + 1);
        return this.domains.find(({ domain: d }) => d === '' || domain === d || domain.endsWith(`.${d}`))?.entry;
      }
      case 'shortcode':
        return this.shortCodes.find((e) => address.value.startsWith(e.prefix.slice(1)));
      default:
        return undefined;
    }
  }
}

/** Which addresses a prefix of an `AddressPrefixTable` can match: `*` any, `+…` numbers, `@…` e-mail, `#…` short codes. */
export function prefixAddressTypes(prefix: string): readonly AddressType[] {
  if (prefix === '*') return ADDRESS_TYPES;
  if (prefix.startsWith('+')) return ['plmn'];
  if (prefix.startsWith('@')) return ['email'];
  return ['shortcode'];
}
