import { BlockList, isIP } from 'node:net';

/** Where an application may connect from: single addresses and CIDR ranges, IPv4 and IPv6. */
export class SourceAddresses {
  private readonly list = new BlockList();
  readonly any: boolean;

  constructor(entries: readonly string[]) {
    this.any = entries.length === 0;
    for (const entry of entries) {
      const slash = entry.indexOf('/');
      const ip = slash < 0 ? entry : entry.slice(0, slash);
      const family = isIP(ip);
      const prefix = slash < 0 ? undefined : Number(entry.slice(slash + 1));
      const max = family === 6 ? 128 : 32;
      if (!family || (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= max))) {
        throw new Error(`allowedIps: ${JSON.stringify(entry)} is not an IP address or CIDR range`);
      }
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(ip, type);
      else this.list.addSubnet(ip, prefix, type);
    }
  }

  allows(remote: string): boolean {
    if (this.any) return true;
    // An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d.
    const ip = remote.toLowerCase().startsWith('::ffff:') && isIP(remote.slice(7)) === 4 ? remote.slice(7) : remote;
    const family = isIP(ip);
    return family !== 0 && this.list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  }
}
