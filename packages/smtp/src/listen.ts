/** Listening and a graceful stop for an smtp-server (its limits: guard.ts). */
import type { AddressInfo } from 'node:net';
import type { SMTPServer } from 'smtp-server';

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
