/** What an inbound SMTP server (MM4, MM3) needs around smtp-server: address lists, listening, a graceful stop. */
import { BlockList, isIP, type AddressInfo } from 'node:net';
import type { SMTPServer } from 'smtp-server';

/** A BlockList of IP addresses and CIDR blocks (`198.51.100.7`, `198.51.100.0/28`, `::1`). */
export function ipList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    const [ip, bits] = e.split('/') as [string, string | undefined];
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (bits !== undefined) list.addSubnet(ip, Number(bits), family);
    else list.addAddress(ip, family);
  }
  return list;
}

/** Is a remote address (IPv4-mapped IPv6 read as IPv4) in the list? */
export function ipAllowed(list: BlockList, remote: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  const ip = mapped ? mapped[1]! : remote;
  return list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}

/** Listens; resolves with the port and `host:port` once bound, rejects if binding fails. */
export async function listenSmtp(server: SMTPServer, port: number, host: string): Promise<{ port: number; address: string }> {
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const a = server.server.address() as AddressInfo;
  return { port: a.port, address: `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` };
}

/** Stops accepting; idle connections are closed at once (421), those inside a transaction (`busy`) may finish. */
export async function closeSmtp(server: SMTPServer, busy: ReadonlySet<string>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const connection of server.connections) {
    const c = connection as unknown as { id?: string; send(code: number, text: string): void; close(): void };
    if (c.id && busy.has(c.id)) continue;
    c.send(421, '4.3.2 service shutting down');
    c.close();
  }
  await closed;
}
