/**
 * A receiving SMTP server written by hand for the client's tests: it answers each command as the
 * test scripts it (4xx, 5xx, a greeting that refuses), may offer STARTTLS, and records what came.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext } from 'node:tls';

export interface Script {
  /** The greeting; a 4xx/5xx one ends the connection. */
  greeting?: string;
  /** Offer STARTTLS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** The reply to RCPT TO for an address; default 250. */
  rcpt?: (address: string) => string;
  /** The reply after the content; default `250 2.0.0 queued`. */
  afterData?: string;
}

export interface Received {
  helo: string;
  mailFrom: string;
  rcptTo: string[];
  raw: string;
  secure: boolean;
  /** The SNI name the client asked for. */
  servername: string | undefined;
}

export class ScriptedSmtpServer {
  readonly received: Received[] = [];
  connections = 0;
  port = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly script: Script = {}) {
    this.server = createServer((socket) => this.session(socket));
  }

  async start(host = '127.0.0.1', port = 0): Promise<this> {
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
    let buffer = '';
    let inData = false;
    let mail: Received | undefined;
    const say = (line: string) => socket.write(`${line}\r\n`);
    const greeting = s.greeting ?? '220 scripted.test ESMTP';
    say(greeting);
    if (!greeting.startsWith('2')) {
      plain.end();
      return;
    }
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail!.raw = buffer.slice(0, end + 2).replace(/(^|\r\n)\.\./g, '$1.');
          buffer = buffer.slice(end + 5);
          inData = false;
          const answer = s.afterData ?? '250 2.0.0 queued';
          if (answer.startsWith('2')) this.received.push(mail!);
          say(answer);
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 8).toUpperCase();
        if (verb.startsWith('EHLO')) {
          helo = line.slice(5);
          const ext = s.tls && !secure ? ['STARTTLS'] : [];
          say(ext.length ? `250-scripted.test\r\n250 ${ext.join('\r\n250 ')}` : '250 scripted.test');
        } else if (verb === 'STARTTLS' && s.tls && !secure) {
          say('220 2.0.0 go ahead');
          socket.off('data', onData);
          const upgraded = new TLSSocket(plain, { isServer: true, secureContext: createSecureContext(s.tls), SNICallback: (name, cb) => ((servername = name), cb(null, createSecureContext(s.tls!))) });
          upgraded.on('error', () => undefined);
          upgraded.on('secure', () => (secure = true));
          upgraded.on('data', onData);
          socket = upgraded;
        } else if (verb.startsWith('MAIL')) {
          mail = { helo, mailFrom: /<([^>]*)>/.exec(line)?.[1] ?? '', rcptTo: [], raw: '', secure, servername };
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
        else say('502 5.5.2 not implemented');
      }
    };
    plain.on('data', onData);
  }
}
