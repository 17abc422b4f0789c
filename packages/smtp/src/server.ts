/**
 * An inbound SMTP server as MM3 and MM4 need it: smtp-server behind `SmtpGuard`, STARTTLS,
 * AUTH, a size limit, relaying refused, the content collected, and a plugin's own checks as
 * hooks that answer with an `SmtpReply`.
 */
import { clientCertificate, mergeLimits, type AdmissionDecision, type PresentedCertificate, type SmtpListenerLimits, type SmtpListenerOverrides } from '@openmmsc/core';
import type { Registry } from 'prom-client';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { SmtpGuard, type GuardedPeer } from './guard.js';
import { MessageBuffer } from './message-buffer.js';
import { closeSmtp, listenSmtp } from './listen.js';
import { SmtpReply, replies } from './reply.js';
import { serverTlsOptions, type SmtpServerTls } from './tls.js';

export interface SmtpLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** One client connection, as the plugin's hooks see it. */
export interface SmtpSession<S> {
  readonly id: string;
  readonly remoteAddress: string;
  /** TLS is up (STARTTLS done). */
  readonly secure: boolean;
  /** Who logged in: what `login` returned. */
  readonly user: string | undefined;
  /** The client certificate presented at STARTTLS (with `tls.requestCert`). */
  readonly certificate: PresentedCertificate | undefined;
  /** Recipients accepted so far in this transaction. */
  readonly rcptTo: readonly string[];
  /** What the plugin keeps about this connection (e.g. the peer it proved to be). */
  state: S | undefined;
}

/** A message taken after DATA. */
export interface ReceivedMail<S> {
  session: SmtpSession<S>;
  /** The envelope sender; '' for the null reverse path. */
  mailFrom: string;
  rcptTo: string[];
  /**
   * The content as sent (at most `maxMessageSize` bytes of it when it was over), in memory of its
   * own: a receiver may move it to a thread.
   */
  raw: Buffer;
}

/** A plugin's checks; a hook refuses by returning (or throwing) an `SmtpReply`. */
export interface SmtpHandlers<S> {
  /** At connect, once the guard let the client in. */
  connect?(remoteAddress: string): SmtpReply | undefined;
  /** AUTH PLAIN/LOGIN: the identity to record, or undefined (535 5.7.8). Without it AUTH is not offered. */
  login?(user: string, password: string, session: SmtpSession<S>): string | undefined;
  /** After the kernel admitted new work. */
  mailFrom?(address: string, session: SmtpSession<S>): SmtpReply | undefined;
  /** After the recipient count and relaying checks. */
  rcptTo?(address: string, session: SmtpSession<S>): SmtpReply | undefined;
  /** The message: the text of the 250 reply, or a rejection with an `SmtpReply` (anything else is 451 4.3.0). */
  message(mail: ReceivedMail<S>): Promise<string>;
  /** A message over `maxMessageSize`, already answered 552 5.3.4 (e.g. to bounce it). */
  oversize?(mail: ReceivedMail<S>): void;
  close?(session: SmtpSession<S>): void;
}

export interface SmtpListenerOptions {
  /** Names the listener in logs and metrics; also the interface the admission check is asked for (`mm4`, `mm3`). */
  listener: string;
  host: string;
  port: number;
  /** Our name in the greeting and EHLO answer. */
  name: string;
  banner?: string;
  /** Largest message (bytes, announced as SIZE); larger ones get 552 5.3.4. */
  maxMessageSize: number;
  /** Most recipients of one transaction; more get 452 4.5.3. */
  maxRecipients?: number;
  /** On stop, how long a transaction in progress may take. */
  closeTimeoutMs: number;
  /** Domains we take mail for (case-insensitive); RCPT TO any other is relaying (550 5.7.1). */
  domains: readonly string[];
  /** STARTTLS (with key and certificate); relative PEM paths resolve against `baseDir`. */
  tls?: SmtpServerTls;
  baseDir: string;
  /** Refuse MAIL FROM before STARTTLS (530 5.7.0). */
  requireTls?: boolean;
  /** The kernel's `listeners.smtp`, and the plugin's `server.listener` on top. */
  limits: SmtpListenerLimits;
  overrides?: SmtpListenerOverrides;
  /** Peers known at connect by address (`PeerAllowList.guarded()`). */
  peers?: readonly GuardedPeer[];
  metrics?: Registry;
  /** The kernel's admission check (`ctx.mmsc.admit`). */
  admit?: (iface: string) => AdmissionDecision;
  log: SmtpLog;
}

interface Live<S> extends SmtpSession<S> {
  raw: SMTPServerSession;
  certificate: PresentedCertificate | undefined;
}

const domainOf = (address: string): string => {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1);
};

/** Hooks may throw an `SmtpReply` as well as return one; anything else thrown is our failure. */
function settle(log: SmtpLog, listener: string, run: () => SmtpReply | undefined): SmtpReply | undefined {
  try {
    return run();
  } catch (error) {
    if (error instanceof SmtpReply) return error;
    log.error({ err: error }, `${listener} SMTP hook failed`);
    return replies.temporaryFailure();
  }
}

/** One inbound SMTP server. */
export class SmtpListener<S = unknown> {
  private server: SMTPServer | undefined;
  private readonly sessions = new Map<string, Live<S>>();
  /** Sessions inside a mail transaction (MAIL FROM taken, DATA not finished): a stop lets them finish. */
  private readonly busy = new Set<string>();
  private readonly domains: Set<string>;
  address: string | undefined;
  port = 0;

  constructor(
    private readonly o: SmtpListenerOptions,
    private readonly handlers: SmtpHandlers<S>,
  ) {
    this.domains = new Set(o.domains.map((d) => d.toLowerCase()));
  }

  isOurDomain(domain: string): boolean {
    return this.domains.has(domain.toLowerCase());
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    const o = this.o;
    const tls = serverTlsOptions(o.tls, o.baseDir);
    const guard = new SmtpGuard({
      listener: o.listener,
      limits: mergeLimits(o.limits, o.overrides),
      peers: o.peers ?? [],
      ...(o.metrics ? { metrics: o.metrics } : {}),
      ...(o.admit ? { admit: o.admit } : {}),
      log: o.log,
    });
    const server = new SMTPServer(guard.wrap({ ...tls, ...this.options(tls !== undefined) }));
    guard.attach(server);
    server.on('error', (error: Error) => o.log.warn({ err: error }, `${o.listener} SMTP server error`));
    const bound = await listenSmtp(server, o.port, o.host);
    this.server = server;
    this.port = bound.port;
    this.address = bound.address;
  }

  /** Stops accepting; idle connections are closed at once (421), transactions in progress may finish. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeSmtp(server, this.busy);
  }

  private live(session: SMTPServerSession): Live<S> {
    let s = this.sessions.get(session.id);
    if (!s) {
      const created: Live<S> = {
        id: session.id,
        raw: session,
        certificate: undefined,
        state: undefined,
        get remoteAddress() {
          return created.raw.remoteAddress;
        },
        get secure() {
          return created.raw.secure;
        },
        get user() {
          return typeof created.raw.user === 'string' ? created.raw.user : undefined;
        },
        get rcptTo() {
          return created.raw.envelope.rcptTo.map((r) => r.address);
        },
      };
      s = created;
      this.sessions.set(session.id, s);
    }
    s.raw = session;
    return s;
  }

  private options(withTls: boolean): SMTPServerOptions {
    const { o, handlers: h } = this;
    const fail = (run: () => SmtpReply | undefined) => settle(o.log, o.listener, run);
    return {
      name: o.name,
      ...(o.banner ? { banner: o.banner } : {}),
      size: o.maxMessageSize,
      closeTimeout: o.closeTimeoutMs,
      disableReverseLookup: true,
      logger: false,
      hideDSN: true,
      authOptional: true,
      allowInsecureAuth: false,
      disabledCommands: [...(withTls ? [] : ['STARTTLS']), ...(h.login ? [] : ['AUTH'])],
      onConnect: (session, callback) => {
        const refusal = h.connect && fail(() => h.connect!(session.remoteAddress));
        if (refusal) {
          o.log.warn({ remote: session.remoteAddress, reply: refusal.message }, `${o.listener} connection refused`);
          return callback(refusal);
        }
        this.live(session);
        return callback();
      },
      onSecure: (socket, session, callback) => {
        this.live(session).certificate = clientCertificate(socket);
        callback();
      },
      ...(h.login
        ? {
            onAuth: (auth, session, callback) => {
              let identity: string | undefined;
              try {
                identity = h.login!(auth.username ?? '', auth.password ?? '', this.live(session));
              } catch (error) {
                o.log.error({ err: error }, `${o.listener} SMTP hook failed`);
                return callback(replies.temporaryFailure());
              }
              if (identity === undefined) {
                o.log.warn({ remote: session.remoteAddress, user: auth.username }, `${o.listener} login failed`);
                return callback(replies.authenticationFailed());
              }
              return callback(null, { user: identity });
            },
          }
        : {}),
      onMailFrom: (address, session, callback) => {
        const live = this.live(session);
        if (o.requireTls && !session.secure) return callback(replies.tlsRequired());
        const refusal = h.mailFrom && fail(() => h.mailFrom!(address.address, live));
        if (refusal) return callback(refusal);
        this.busy.add(session.id);
        return callback();
      },
      onRcptTo: (address, session, callback) => {
        if (o.maxRecipients !== undefined && session.envelope.rcptTo.length >= o.maxRecipients) return callback(replies.tooManyRecipients());
        const domain = domainOf(address.address);
        if (!this.isOurDomain(domain)) return callback(replies.relayingDenied(domain));
        const refusal = h.rcptTo && fail(() => h.rcptTo!(address.address, this.live(session)));
        return refusal ? callback(refusal) : callback();
      },
      onData: (stream, session, callback) => {
        const args = session.envelope.mailFrom ? session.envelope.mailFrom.args : false;
        const declared = args ? Number(args['SIZE'] ?? NaN) : NaN;
        const message = new MessageBuffer(o.maxMessageSize, Number.isNaN(declared) ? undefined : declared);
        stream.on('data', (c: Buffer) => message.add(c));
        stream.on('error', (e: Error) => callback(e));
        stream.on('end', () => {
          this.busy.delete(session.id);
          const live = this.live(session);
          const mail: ReceivedMail<S> = {
            session: live,
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: message.content(),
          };
          if (stream.sizeExceeded) {
            o.log.warn({ remote: session.remoteAddress, from: mail.mailFrom, bytes: stream.byteLength }, `${o.listener} message over the size limit refused`);
            fail(() => {
              h.oversize?.(mail);
              return undefined;
            });
            return callback(replies.tooLarge(o.maxMessageSize));
          }
          // A hook that throws before its promise exists is answered like one that rejects.
          Promise.resolve()
            .then(() => h.message(mail))
            .then(
              (text) => callback(null, text),
              (error: unknown) => {
                if (error instanceof SmtpReply) return callback(error);
                o.log.error({ err: error, remote: session.remoteAddress }, `${o.listener} inbound handling failed`);
                return callback(replies.temporaryFailure());
              },
            );
        });
      },
      onClose: (session) => {
        const live = this.sessions.get(session.id);
        this.sessions.delete(session.id);
        this.busy.delete(session.id);
        if (live)
          fail(() => {
            h.close?.(live);
            return undefined;
          });
      },
    };
  }
}
