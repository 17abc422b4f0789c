/**
 * A receiving SMTP server written from RFC 5321 over a raw socket (not with the SMTP libraries the
 * MMSC uses): it keeps every message it accepts, and a test may script its replies (a greeting
 * that refuses, a 4xx/5xx to RCPT or after the content) and have it offer STARTTLS.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext } from 'node:tls';

/** How the sink answers; every reply is a whole SMTP reply line, e.g. `451 4.3.0 try later`. */
export interface RawSmtpScript {
  /** The greeting (default `220 sink.test ESMTP`); a 4xx/5xx one ends the connection. */
  greeting?: string;
  /** Offer STARTTLS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** The reply to RCPT TO for an address (default `250 2.1.5 ok`); the address is kept only on a 2xx. */
  rcpt?: (address: string) => string;
  /** The reply after the content (default `250 2.0.0 queued`); the message is kept only on a 2xx. */
  afterData?: string;
}

export interface SunkMail {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  /** The EHLO/HELO name the client gave. */
  helo: string;
  /** Whether the message came over TLS (after STARTTLS). */
  secure: boolean;
  /** The SNI name the client asked for in STARTTLS. */
  servername: string | undefined;
}

/** A receiving SMTP server on 127.0.0.1 (or another loopback address) that keeps every message it accepts. */
export class RawSmtpSink {
  readonly mails: SunkMail[] = [];
  /** When set, MAIL FROM is answered with this reply (e.g. `451 4.3.0 try later`): a peer in trouble. */
  refuseMailWith: string | undefined;
  /** Connections taken so far. */
  connections = 0;
  port = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly script: RawSmtpScript = {}) {
    this.server = createServer((socket) => this.session(socket));
  }

  /** Listens on `port` (default: any free one), e.g. where a peer that was down comes back. */
  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, resolve);
    });
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private session(plain: Socket): void {
    this.connections += 1;
    this.sockets.add(plain);
    plain.on('close', () => this.sockets.delete(plain));
    plain.on('error', () => undefined);
    const s = this.script;
    let socket: Socket = plain;
    let secure = false;
    let servername: string | undefined;
    let helo = '';
    let buffer = Buffer.alloc(0);
    let inData = false;
    let mail: SunkMail | undefined;
    const say = (line: string) => socket.write(`${line}\r\n`);
    const greeting = s.greeting ?? '220 sink.test ESMTP';
    say(greeting);
    if (!greeting.startsWith('2')) {
      plain.end();
      return;
    }
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const text = buffer.subarray(0, end + 2).toString('latin1');
          buffer = buffer.subarray(end + 5);
          inData = false;
          const answer = s.afterData ?? '250 2.0.0 queued';
          if (mail && answer.startsWith('2')) {
            mail.raw = Buffer.from(text.replace(/(^|\r\n)\.\./g, '$1.'), 'latin1');
            this.mails.push(mail);
          }
          mail = undefined;
          say(answer);
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.subarray(0, nl).toString('latin1');
        buffer = buffer.subarray(nl + 2);
        const verb = line.slice(0, 8).toUpperCase();
        if (verb.startsWith('EHLO') || verb.startsWith('HELO')) {
          helo = line.slice(5);
          say(s.tls && !secure && verb.startsWith('EHLO') ? '250-sink.test\r\n250 STARTTLS' : '250 sink.test');
        } else if (verb === 'STARTTLS' && s.tls && !secure) {
          say('220 2.0.0 go ahead');
          socket.off('data', onData);
          const context = createSecureContext(s.tls);
          const upgraded = new TLSSocket(plain, { isServer: true, secureContext: context, SNICallback: (name, cb) => ((servername = name), cb(null, context)) });
          upgraded.on('error', () => undefined);
          upgraded.on('secure', () => (secure = true));
          upgraded.on('data', onData);
          socket = upgraded;
        } else if (verb.startsWith('MAIL') && this.refuseMailWith) say(this.refuseMailWith);
        else if (verb.startsWith('MAIL')) {
          mail = { mailFrom: /<([^>]*)>/.exec(line)?.[1] ?? '', rcptTo: [], raw: Buffer.alloc(0), helo, secure, servername };
          say('250 2.1.0 ok');
        } else if (verb.startsWith('RCPT')) {
          const address = /<([^>]*)>/.exec(line)?.[1] ?? '';
          const answer = s.rcpt?.(address) ?? '250 2.1.5 ok';
          if (answer.startsWith('2')) mail?.rcptTo.push(address);
          say(answer);
        } else if (verb.startsWith('DATA')) {
          inData = true;
          say('354 go ahead');
        } else if (verb.startsWith('QUIT')) {
          say('221 2.0.0 bye');
          socket.end();
          return;
        } else if (verb.startsWith('RSET') || verb.startsWith('NOOP')) say('250 2.0.0 ok');
        // STARTTLS when not offered, AUTH, VRFY, …
        else say('502 5.5.2 not implemented');
      }
    };
    plain.on('data', onData);
  }
}
