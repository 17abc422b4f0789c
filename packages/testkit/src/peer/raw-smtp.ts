/**
 * An SMTP peer written from RFC 5321 rather than with the SMTP libraries the MMSC uses: a client
 * that speaks SMTP over a raw socket (an MM4 peer, a mail relay), and a sink that takes what the
 * MMSC sends over a raw socket.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface SmtpExchange {
  /** Every reply line, in order. */
  lines: string[];
  mailFrom: string;
  rcpt: string[];
  /** The final reply to the message (after DATA), or to the command that ended the dialogue. */
  data: string;
}

/** Reads SMTP replies (multi-line `250-…` ones joined) from a socket. */
function replyReader(socket: Socket, lines: string[]): () => Promise<string> {
  let buffer = '';
  const replies: string[] = [];
  let waiting: ((reply: string) => void) | undefined;
  let current: string[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let nl: number;
    while ((nl = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 2);
      lines.push(line);
      current.push(line);
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
        const reply = current.join('\n');
        current = [];
        if (waiting) {
          const w = waiting;
          waiting = undefined;
          w(reply);
        } else replies.push(reply);
      }
    }
  });
  return () =>
    new Promise((resolve, reject) => {
      const next = replies.shift();
      if (next !== undefined) return resolve(next);
      const timer = setTimeout(() => reject(new Error(`no SMTP reply; so far: ${lines.join(' | ')}`)), 10_000);
      waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
    });
}

/** One SMTP transaction over a raw socket: EHLO, MAIL, RCPT…, DATA (dot-stuffed), QUIT. */
export async function sendSmtp(o: { port: number; localAddress?: string; mailFrom: string; rcptTo: string[]; data: string | Buffer }): Promise<SmtpExchange> {
  const socket = connect({ host: '127.0.0.1', port: o.port, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
  const lines: string[] = [];
  const next = replyReader(socket, lines);
  const command = async (line: string) => {
    socket.write(`${line}\r\n`);
    return next();
  };
  const result: SmtpExchange = { lines, mailFrom: '', rcpt: [], data: '' };
  try {
    const greeting = await next();
    if (!greeting.startsWith('220')) return { ...result, data: greeting };
    await command('EHLO peer.test');
    result.mailFrom = await command(`MAIL FROM:<${o.mailFrom}>`);
    if (!result.mailFrom.startsWith('250')) return { ...result, data: result.mailFrom };
    for (const r of o.rcptTo) result.rcpt.push(await command(`RCPT TO:<${r}>`));
    if (!result.rcpt.some((r) => r.startsWith('250'))) return { ...result, data: result.rcpt.at(-1) ?? '' };
    const go = await command('DATA');
    if (!go.startsWith('354')) return { ...result, data: go };
    let body = Buffer.isBuffer(o.data) ? o.data.toString('latin1') : o.data;
    if (!body.endsWith('\r\n')) body += '\r\n';
    socket.write(Buffer.from(`${body.replace(/(^|\r\n)\./g, '$1..')}.\r\n`, 'latin1'));
    result.data = await next();
    await command('QUIT').catch(() => '');
    return result;
  } finally {
    socket.destroy();
  }
}

export interface SunkMail {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

/** A receiving SMTP server on 127.0.0.1 that keeps every message (no extensions, no TLS). */
export class RawSmtpSink {
  readonly mails: SunkMail[] = [];
  /** When set, MAIL FROM is answered with this reply (e.g. `451 4.3.0 try later`): a peer in trouble. */
  refuseMailWith: string | undefined;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor() {
    this.server = createServer((socket) => this.session(socket));
  }

  /** Listens on `port` (default: any free one), e.g. where a peer that was down comes back. */
  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private session(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let inData = false;
    let mail: SunkMail = { mailFrom: '', rcptTo: [], raw: Buffer.alloc(0) };
    const say = (line: string) => socket.write(`${line}\r\n`);
    say('220 sink.test ESMTP');
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const text = buffer.subarray(0, end + 2).toString('latin1');
          buffer = buffer.subarray(end + 5);
          mail.raw = Buffer.from(text.replace(/(^|\r\n)\.\./g, '$1.'), 'latin1');
          this.mails.push(mail);
          mail = { mailFrom: '', rcptTo: [], raw: Buffer.alloc(0) };
          inData = false;
          say('250 2.0.0 queued');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.subarray(0, nl).toString('latin1');
        buffer = buffer.subarray(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') say('250 sink.test');
        else if (verb === 'MAIL' && this.refuseMailWith) say(this.refuseMailWith);
        else if (verb === 'MAIL') {
          mail.mailFrom = /<([^>]*)>/.exec(line)?.[1] ?? '';
          say('250 2.1.0 ok');
        } else if (verb === 'RCPT') {
          mail.rcptTo.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          say('250 2.1.5 ok');
        } else if (verb === 'DATA') {
          inData = true;
          say('354 go ahead');
        } else if (verb === 'QUIT') {
          say('221 bye');
          socket.end();
          return;
        } else say('250 ok');
      }
    });
  }
}

/** Header value of a raw mail we received (first occurrence, unfolded), for quick checks. */
export function rawHeader(raw: Buffer, name: string): string | undefined {
  const head = raw.toString('latin1').split(/\r\n\r\n/)[0] ?? '';
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(head);
  return m?.[1]?.replace(/\r\n[ \t]+/g, ' ').trim();
}
