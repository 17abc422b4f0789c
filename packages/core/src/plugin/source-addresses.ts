import { isIP } from 'node:net';
import { ipAllowed, ipList } from '../listeners/address-list.js';

/**
 * Where a client account may connect from (`allowedIps`): single addresses and CIDR ranges, IPv4
 * and IPv6; an empty list allows any address. A malformed entry is a config error naming it.
 */
export class SourceAddresses {
  private readonly list;
  readonly any: boolean;

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      if (!isAddressOrRange(entry)) throw new Error(`allowedIps: ${JSON.stringify(entry)} is not an IP address or CIDR range`);
    }
    this.any = entries.length === 0;
    this.list = ipList(entries);
  }

  /** Whether `remote` (an IPv4-mapped IPv6 address read as IPv4) may connect. */
  allows(remote: string): boolean {
    return this.any || ipAllowed(this.list, remote);
  }
}

function isAddressOrRange(entry: string): boolean {
  const slash = entry.indexOf('/');
  const family = isIP(slash < 0 ? entry : entry.slice(0, slash));
  if (!family) return false;
  if (slash < 0) return true;
  const bits = entry.slice(slash + 1);
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32);
}
