import { BlockList, isIP } from 'node:net';

/** An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) as the IPv4 address it is. */
export function plainAddress(remote: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  return mapped ? mapped[1]! : remote;
}

/** A BlockList of IP addresses and CIDR blocks (`198.51.100.7`, `198.51.100.0/28`, `::1`); throws on anything else. */
export function ipList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    const [ip, bits, extra] = e.split('/') as [string, string | undefined, string | undefined];
    const family = isIP(ip);
    const longest = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= longest))) {
      throw new Error(`${JSON.stringify(e)} is not an IP address or CIDR block`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits !== undefined) list.addSubnet(ip, Number(bits), type);
    else list.addAddress(ip, type);
  }
  return list;
}

/** Is a remote address (IPv4-mapped IPv6 read as IPv4) in the list? */
export function ipAllowed(list: BlockList, remote: string): boolean {
  const ip = plainAddress(remote);
  const family = isIP(ip);
  if (!family) return false;
  return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}
