import { ipAllowed, ipList } from '../listeners/address-list.js';

/**
 * Where a client account may connect from (`allowedIps`): single addresses and CIDR blocks, IPv4
 * and IPv6; an empty list allows any address. A malformed entry is a config error naming it.
 */
export class SourceAddresses {
  private readonly list;
  readonly any: boolean;

  constructor(entries: readonly string[]) {
    try {
      this.list = ipList(entries);
    } catch (error) {
      throw new Error(`allowedIps: ${(error as Error).message}`);
    }
    this.any = entries.length === 0;
  }

  /** Whether `remote` (an IPv4-mapped IPv6 address read as IPv4) may connect. */
  allows(remote: string): boolean {
    return this.any || ipAllowed(this.list, remote);
  }
}
