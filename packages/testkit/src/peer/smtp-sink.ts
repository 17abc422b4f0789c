import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message the sink accepted, as it arrived on the wire. */
export interface SinkMessage {
  mailFrom: string;
  rcptTo: string[];
  /** The raw RFC 5322 message (headers + body). */
  raw: Buffer;
  remoteAddress: string;
  /** The client's EHLO name. */
  helo: string;
  /** SMTP AUTH user, if the client logged in. */
  user?: string;
  secure: boolean;
  at: number;
}

export interface SmtpSinkOptions {
  /** Accept AUTH PLAIN/LOGIN with these credentials (and require it when `requireAuth`). */
  users?: Record<string, string>;
  requireAuth?: boolean;
  /** Advertised and enforced SIZE limit. */
  maxSize?: number;
  /** TLS key and certificate (PEM): STARTTLS is offered only with them. */
  key?: string | Buffer;
  cert?: string | Buffer;
  /** Answer every RCPT TO with this error code (e.g. 550) — for failure paths. */
  rejectRecipients?: { code: number; message: string };
}

/**
 * A plain SMTP server on 127.0.0.1 that keeps every message it accepts: the "rest of the
 * Internet" for MM3 tests (a mail relay or an e-mail user's MX).
 */
export class SmtpSink {
  readonly messages: SinkMessage[] = [];
  private server: SMTPServer | undefined;
  port = 0;

  constructor(private readonly options: SmtpSinkOptions = {}) {}

  get host(): string {
    return '127.0.0.1';
  }

  async start(port = 0): Promise<this> {
    const o = this.options;
    const tls = o.key && o.cert ? { key: o.key, cert: o.cert } : {};
    const server = new SMTPServer({
      ...tls,
      disabledCommands: [...(o.key && o.cert ? [] : ['STARTTLS']), ...(o.users ? [] : ['AUTH'])],
      authOptional: !o.requireAuth,
      allowInsecureAuth: true,
      logger: false,
      ...(o.maxSize ? { size: o.maxSize } : {}),
      onAuth: (auth, _session, callback) => {
        const pass = o.users?.[auth.username ?? ''];
        if (pass !== undefined && pass === auth.password) callback(null, { user: auth.username });
        else callback(Object.assign(new Error('invalid credentials'), { responseCode: 535 }));
      },
      onRcptTo: (_address, _session, callback) => {
        if (o.rejectRecipients) callback(Object.assign(new Error(o.rejectRecipients.message), { responseCode: o.rejectRecipients.code }));
        else callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
            callback(Object.assign(new Error('message too big'), { responseCode: 552 }));
            return;
          }
          const mailFrom = session.envelope.mailFrom;
          const message: SinkMessage = {
            mailFrom: mailFrom ? mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
            remoteAddress: session.remoteAddress,
            helo: session.hostNameAppearsAs ?? '',
            secure: session.secure,
            at: Date.now(),
          };
          const user = session.user;
          if (typeof user === 'string') message.user = user;
          this.messages.push(message);
          callback();
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Starts an SMTP sink on 127.0.0.1 and a random port. */
export function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  return new SmtpSink(options).start();
}
