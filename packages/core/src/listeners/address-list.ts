import { BlockList, isIP } from 'node:net';

/** An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) as the IPv4 address it is. */
export function plainAddress(remote: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  return mapped ? mapped[1]! : remote;
}

/** A BlockList of IP addresses and CIDR blocks (`198.51.100.7`, `198.51.100.0/28`, `::1`); throws on anything else. Not to be changed once built (`ipAllowed` remembers its answers). */
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

// Answers per list and remote address: `BlockList#check` builds a SocketAddress on every call,
// and a node asks for each request of a handful of gateways. Lists are not changed once built.
const answers = new WeakMap<BlockList, Map<string, boolean>>();
const REMEMBERED = 4096;

/** Is a remote address (IPv4-mapped IPv6 read as IPv4) in the list? */
export function ipAllowed(list: BlockList, remote: string): boolean {
  let known = answers.get(list);
  const answer = known?.get(remote);
  if (answer !== undefined) return answer;
  const ip = plainAddress(remote);
  const family = isIP(ip);
  const allowed = family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  if (!known) answers.set(list, (known = new Map()));
  // Many distinct clients (a public listener): start again rather than grow without bound.
  if (known.size >= REMEMBERED) known.clear();
  known.set(remote, allowed);
  return allowed;
}
