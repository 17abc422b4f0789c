/**
 * The client side of an SMTP dialogue written by hand on a socket, as a stranger would: no SMTP
 * library, lines in, replies (multi-line joined with \n) out.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

export class RawSmtp {
  private buffer = '';
  private replies: string[] = [];
  private waiting: ((reply: string) => void) | undefined;
  closed = false;
  readonly closedAt: Promise<number>;

  private constructor(private socket: Socket | TLSSocket) {
    let resolveClosed!: (at: number) => void;
    this.closedAt = new Promise((r) => (resolveClosed = r));
    this.listen(socket, resolveClosed);
  }

  static async open(port: number, localAddress = '127.0.0.1'): Promise<RawSmtp> {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawSmtp(socket);
  }

  private listen(socket: Socket | TLSSocket, closed: (at: number) => void): void {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => this.take(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      closed(Date.now());
    });
  }

  private take(data: string): void {
    this.buffer += data;
    let current: string[] = [];
    for (;;) {
      const nl = this.buffer.indexOf('\r\n');
      if (nl < 0) break;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 2);
      current.push(line);
      // "250-…" continues a reply, "250 …" ends it.
      if (line[3] === '-') continue;
      const reply = current.join('\n');
      current = [];
      const w = this.waiting;
      if (w) {
        this.waiting = undefined;
        w(reply);
      } else this.replies.push(reply);
    }
    if (current.length) this.buffer = `${current.map((l) => `${l}\r\n`).join('')}${this.buffer}`;
  }

  /** The next reply (the greeting first). */
  reply(timeoutMs = 10_000): Promise<string> {
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SMTP reply in time')), timeoutMs);
      this.waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Sends one command line and waits for its reply. */
  async command(line: string): Promise<string> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  /** After `220` to STARTTLS: the same connection goes on over TLS. */
  async startTls(options: ConnectionOptions): Promise<TLSSocket> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    const secure = tlsConnect({ ...options, socket: plain });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.socket = secure;
    secure.setEncoding('latin1');
    secure.on('data', (d: string) => this.take(d));
    secure.on('error', () => undefined);
    return secure;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One message through a whole dialogue; returns every reply from the greeting on. */
export async function dialogue(port: number, o: { from: string; to: string[]; data: string; localAddress?: string; size?: number }): Promise<string[]> {
  const c = await RawSmtp.open(port, o.localAddress);
  const out = [await c.reply()];
  try {
    if (!out[0]!.startsWith('220')) return out;
    out.push(await c.command('EHLO client.test'));
    out.push(await c.command(`MAIL FROM:<${o.from}>${o.size !== undefined ? ` SIZE=${o.size}` : ''}`));
    if (!out.at(-1)!.startsWith('250')) return out;
    let accepted = 0;
    for (const to of o.to) {
      out.push(await c.command(`RCPT TO:<${to}>`));
      if (out.at(-1)!.startsWith('250')) accepted += 1;
    }
    if (accepted === 0) return out;
    out.push(await c.command('DATA'));
    if (!out.at(-1)!.startsWith('354')) return out;
    out.push(await c.command(`${o.data.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..')}\r\n.`));
    out.push(await c.command('QUIT'));
    return out;
  } finally {
    c.close();
  }
}
