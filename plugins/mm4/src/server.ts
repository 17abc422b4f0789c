import type { BlockList } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { mergeLimits, pemOrFile, type AdmissionDecision, type SmtpListenerLimits } from '@openmmsc/core';
import type { Registry } from 'prom-client';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { Mm4Options, PeerOptions } from './options.js';
import { domainBelongs, ownDomains } from './peer-trust.js';
import { SmtpReply } from './smtp-reply.js';
import { SmtpGuard } from './smtp-guard.js';
import { closeSmtp, ipAllowed, ipList, listenSmtp } from './smtp-listen.js';

export { SmtpReply } from './smtp-reply.js';

export interface InboundMail {
  peer: PeerOptions;
  session: { id: string; remoteAddress: string; secure: boolean; user?: string };
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

export interface ServerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

interface SessionState {
  peer?: PeerOptions;
  cert?: { subject?: string; fingerprint256?: string; authorized: boolean };
}

/**
 * The inbound MM4 SMTP server: only configured peers get in (by address, SMTP AUTH and/or TLS
 * client certificate), only our domains are accepted as recipients, sizes are enforced.
 */
export class Mm4Server {
  private server: SMTPServer | undefined;
  private readonly sessions = new Map<string, SessionState>();
  private readonly perPeer = new Map<string, number>();
  /** Sessions inside a mail transaction (MAIL FROM seen, DATA not finished). */
  private readonly busy = new Set<string>();
  private readonly lists: Array<{ peer: PeerOptions; list: BlockList | undefined }>;
  private readonly ourDomains: Set<string>;
  address: string | undefined;
  port = 0;

  constructor(
    private readonly options: Mm4Options,
    private readonly baseDir: string,
    private readonly log: ServerLog,
    private readonly onMail: (mail: InboundMail) => Promise<string>,
    /** The kernel's `listeners.smtp` (with `server.listener` on top) and the metrics registry. */
    private readonly listener: { limits: SmtpListenerLimits; metrics?: Registry; admit?: (iface: string) => AdmissionDecision },
  ) {
    this.lists = options.peers.map((peer) => ({ peer, list: peer.addresses.length ? ipList(peer.addresses) : undefined }));
    this.ourDomains = new Set([options.domain, ...options.aliases].map((d) => d.toLowerCase()));
  }

  isOurDomain(domain: string): boolean {
    return this.ourDomains.has(domain.toLowerCase());
  }

  private candidates(remoteAddress: string): PeerOptions[] {
    return this.lists.filter(({ list }) => !list || ipAllowed(list, remoteAddress)).map(({ peer }) => peer);
  }

  async start(): Promise<void> {
    const s = this.options.server;
    const key = pemOrFile(s.tls.key, this.baseDir);
    const cert = pemOrFile(s.tls.cert, this.baseDir);
    const ca = pemOrFile(s.tls.ca, this.baseDir);
    const tls = key && cert ? { key, cert, ...(ca ? { ca } : {}), ...(s.tls.requestCert ? { requestCert: true, rejectUnauthorized: false } : {}) } : {};
    const anyAuth = this.options.peers.some((p) => p.inboundAuth);
    const guard = new SmtpGuard({
      listener: 'mm4',
      limits: mergeLimits(this.listener.limits, s.listener),
      // Peers known by address are counted (and given their reserved slots) at connect.
      peers: this.lists.flatMap(({ peer, list }) => (list ? [{ name: peer.domain, addresses: list, maxConnections: peer.maxConnections }] : [])),
      ...(this.listener.metrics ? { metrics: this.listener.metrics } : {}),
      ...(this.listener.admit ? { admit: this.listener.admit } : {}),
      log: this.log,
    });
    const server = new SMTPServer(guard.wrap({
      ...tls,
      name: s.name ?? this.options.domain,
      banner: 'OpenMMSC MM4',
      size: s.maxMessageSize,
      closeTimeout: s.closeTimeoutMs,
      disableReverseLookup: true,
      logger: false,
      authOptional: true,
      allowInsecureAuth: false,
      hideDSN: true,
      disabledCommands: [...(key && cert ? [] : ['STARTTLS']), ...(anyAuth ? [] : ['AUTH'])],
      onConnect: (session, callback) => {
        if (this.candidates(session.remoteAddress).length === 0) {
          this.log.warn({ remote: session.remoteAddress }, 'MM4 connection from an address that is not a configured peer refused');
          callback(new SmtpReply(554, '5.7.1 not a configured MM4 peer'));
          return;
        }
        this.sessions.set(session.id, {});
        callback();
      },
      onSecure: (socket, session, callback) => {
        const tlsSocket = socket as TLSSocket;
        const state = this.sessions.get(session.id) ?? {};
        const peerCert = typeof tlsSocket.getPeerCertificate === 'function' ? tlsSocket.getPeerCertificate() : undefined;
        if (peerCert && Object.keys(peerCert).length > 0) {
          const subject = peerCert.subject?.CN;
          state.cert = {
            ...(typeof subject === 'string' ? { subject } : {}),
            ...(peerCert.fingerprint256 ? { fingerprint256: peerCert.fingerprint256 } : {}),
            authorized: tlsSocket.authorized,
          };
        }
        this.sessions.set(session.id, state);
        callback();
      },
      onAuth: (auth, session, callback) => {
        const peer = this.candidates(session.remoteAddress).find(
          (p) => p.inboundAuth && p.inboundAuth.user === auth.username && p.inboundAuth.pass === auth.password,
        );
        if (!peer) {
          this.log.warn({ remote: session.remoteAddress, user: auth.username }, 'MM4 peer login failed');
          callback(new SmtpReply(535, '5.7.8 authentication failed'));
          return;
        }
        callback(null, { user: peer.domain });
      },
      onMailFrom: (address, session, callback) => {
        try {
          const peer = this.identify(session, address.address);
          const count = (this.perPeer.get(peer.domain) ?? 0) + 1;
          const state = this.sessions.get(session.id) ?? {};
          // A peer without addresses is known only now (by AUTH or certificate): counted here.
          if (!state.peer && peer.addresses.length === 0) {
            if (count > peer.maxConnections) throw new SmtpReply(421, `4.7.0 too many connections from ${peer.domain}; try later`);
            this.perPeer.set(peer.domain, count);
          }
          state.peer = peer;
          this.sessions.set(session.id, state);
          this.busy.add(session.id);
          callback();
        } catch (error) {
          callback(error as Error);
        }
      },
      onRcptTo: (address, _session, callback) => {
        const at = address.address.lastIndexOf('@');
        const domain = at < 0 ? '' : address.address.slice(at + 1);
        if (!this.isOurDomain(domain)) {
          callback(new SmtpReply(550, `5.7.1 relaying denied: ${domain || 'no domain'} is not served here`));
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (e: Error) => callback(e));
        stream.on('end', () => {
          this.busy.delete(session.id);
          if (stream.sizeExceeded) {
            this.log.warn({ remote: session.remoteAddress, bytes: stream.byteLength }, 'MM4 message over the size limit refused');
            callback(new SmtpReply(552, `5.3.4 message exceeds the size limit of ${s.maxMessageSize} bytes`));
            return;
          }
          const state = this.sessions.get(session.id);
          const mailFrom = session.envelope.mailFrom;
          if (!state?.peer || !mailFrom) {
            callback(new SmtpReply(503, '5.5.1 bad sequence of commands'));
            return;
          }
          const user = typeof session.user === 'string' ? session.user : undefined;
          this.onMail({
            peer: state.peer,
            session: { id: session.id, remoteAddress: session.remoteAddress, secure: session.secure, ...(user ? { user } : {}) },
            mailFrom: mailFrom.address,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          }).then(
            (message) => callback(null, message),
            (error: unknown) => callback(error instanceof SmtpReply ? error : new SmtpReply(451, '4.3.0 temporary failure; try again later')),
          );
        });
      },
      onClose: (session) => {
        const state = this.sessions.get(session.id);
        if (state?.peer) {
          const n = (this.perPeer.get(state.peer.domain) ?? 1) - 1;
          if (n <= 0) this.perPeer.delete(state.peer.domain);
          else this.perPeer.set(state.peer.domain, n);
        }
        this.sessions.delete(session.id);
        this.busy.delete(session.id);
      },
    }));
    guard.attach(server);
    server.on('error', (error: Error) => this.log.warn({ err: error }, 'MM4 SMTP server error'));
    const bound = await listenSmtp(server, s.port, s.host);
    this.server = server;
    this.port = bound.port;
    this.address = bound.address;
  }

  /** Stops accepting; idle connections (peers' pooled ones) are closed at once, transactions may finish. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeSmtp(server, this.busy);
  }

  /** Which configured peer this session is, or an SMTP refusal. */
  private identify(session: SMTPServerSession, mailFrom: string): PeerOptions {
    const state = this.sessions.get(session.id) ?? {};
    const user = typeof session.user === 'string' ? session.user : undefined;
    const fromDomain = mailFrom.slice(mailFrom.lastIndexOf('@') + 1).toLowerCase();
    const candidates = this.candidates(session.remoteAddress).filter((p) => {
      if (p.inboundAuth && user !== p.domain) return false;
      if (p.requireInboundTls && !session.secure) return false;
      if (p.clientCertificate) {
        const c = state.cert;
        if (!c || !c.authorized) return false;
        if (p.clientCertificate.subject && c.subject !== p.clientCertificate.subject) return false;
        if (p.clientCertificate.fingerprint256 && c.fingerprint256?.toUpperCase() !== p.clientCertificate.fingerprint256.toUpperCase()) return false;
      }
      return true;
    });
    if (candidates.length === 0) {
      this.log.warn({ remote: session.remoteAddress, user, mailFrom }, 'MM4 sender did not prove to be a configured peer');
      throw new SmtpReply(530, '5.7.0 authentication or TLS required for this peer');
    }
    const byDomain = candidates.find((p) => domainBelongs(fromDomain, ownDomains(p)));
    if (byDomain) return byDomain;
    // An empty reverse path or a sender outside every peer domain: only when one peer fits unambiguously.
    if (candidates.length === 1 && mailFrom === '') return candidates[0]!;
    this.log.warn({ remote: session.remoteAddress, mailFrom }, 'MM4 sender domain does not belong to the connecting peer');
    throw new SmtpReply(550, `5.7.1 sender domain ${fromDomain || '(none)'} is not a configured MM4 peer`);
  }
}
