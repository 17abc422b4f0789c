import { certificateMatches, type AdmissionDecision, type SmtpListenerLimits } from '@openmmsc/core';
import { PeerAllowList, SmtpListener, SmtpReply, type SmtpLog, type SmtpSession } from '@openmmsc/smtp';
import type { Registry } from 'prom-client';
import type { Mm4Options, PeerOptions } from './options.js';
import { domainBelongs, ownDomains } from './peer-trust.js';

export interface InboundMail {
  peer: PeerOptions;
  session: { id: string; remoteAddress: string; secure: boolean; user?: string };
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

export interface ServerLog extends SmtpLog {
  debug(obj: object, msg?: string): void;
}

/** What a session proved to be, and the peer whose connection count it holds, if counted at MAIL FROM. */
interface PeerState {
  peer: PeerOptions;
  counted?: string;
}

/**
 * The inbound MM4 SMTP server: only configured peers get in (by address, SMTP AUTH and/or TLS
 * client certificate), only our domains are accepted as recipients, sizes are enforced.
 */
export class Mm4Server extends SmtpListener<PeerState> {
  constructor(
    options: Mm4Options,
    baseDir: string,
    log: ServerLog,
    onMail: (mail: InboundMail) => Promise<string>,
    /** The kernel's `listeners.smtp` (with `server.listener` on top) and the metrics registry. */
    kernel: { limits: SmtpListenerLimits; metrics?: Registry; admit?: (iface: string) => AdmissionDecision },
  ) {
    const s = options.server;
    const peers = new PeerAllowList(options.peers.map((p) => ({ name: p.domain, addresses: p.addresses, maxConnections: p.maxConnections, config: p })));
    const proof = new PeerProof(peers, log);
    super(
      {
        listener: 'mm4',
        host: s.host,
        port: s.port,
        name: s.name ?? options.domain,
        banner: 'OpenMMSC MM4',
        maxMessageSize: s.maxMessageSize,
        closeTimeoutMs: s.closeTimeoutMs,
        domains: [options.domain, ...options.aliases],
        tls: s.tls,
        baseDir,
        requireTls: s.requireTls,
        limits: kernel.limits,
        overrides: s.listener,
        // Peers known by address are counted (and given their reserved slots) at connect.
        peers: peers.guarded(),
        ...(kernel.metrics ? { metrics: kernel.metrics } : {}),
        ...(kernel.admit ? { admit: kernel.admit } : {}),
        log,
      },
      {
        connect: (remote) => (peers.at(remote).length === 0 ? new SmtpReply(554, '5.7.1 not a configured MM4 peer') : undefined),
        ...(options.peers.some((p) => p.inboundAuth)
          ? {
              login: (user: string, pass: string, session: SmtpSession<PeerState>) =>
                peers.at(session.remoteAddress).find((p) => p.inboundAuth && p.inboundAuth.user === user && p.inboundAuth.pass === pass)?.domain,
            }
          : {}),
        mailFrom: (address, session) => proof.admit(session, address),
        message: (mail) => {
          const { session } = mail;
          if (!session.state) return Promise.reject(new SmtpReply(503, '5.5.1 bad sequence of commands'));
          return onMail({
            peer: session.state.peer,
            session: { id: session.id, remoteAddress: session.remoteAddress, secure: session.secure, ...(session.user ? { user: session.user } : {}) },
            mailFrom: mail.mailFrom,
            rcptTo: mail.rcptTo,
            raw: mail.raw,
          });
        },
        close: (session) => proof.release(session),
      },
    );
  }
}

/** Which configured peer a session proves to be at MAIL FROM, and the connections of peers known only then. */
class PeerProof {
  /** Connections of peers without `addresses` (known by AUTH or certificate), counted at MAIL FROM. */
  private readonly perPeer = new Map<string, number>();

  constructor(
    private readonly peers: PeerAllowList<PeerOptions>,
    private readonly log: ServerLog,
  ) {}

  admit(session: SmtpSession<PeerState>, mailFrom: string): SmtpReply | undefined {
    const peer = this.identify(session, mailFrom);
    if (!session.state && peer.addresses.length === 0) {
      const count = (this.perPeer.get(peer.domain) ?? 0) + 1;
      if (count > peer.maxConnections) return new SmtpReply(421, `4.7.0 too many connections from ${peer.domain}; try later`);
      this.perPeer.set(peer.domain, count);
      session.state = { peer, counted: peer.domain };
      return undefined;
    }
    session.state = { ...session.state, peer };
    return undefined;
  }

  release(session: SmtpSession<PeerState>): void {
    const domain = session.state?.counted;
    if (!domain) return;
    const n = (this.perPeer.get(domain) ?? 1) - 1;
    if (n <= 0) this.perPeer.delete(domain);
    else this.perPeer.set(domain, n);
  }

  /** Which configured peer this session is, or an SMTP refusal. */
  private identify(session: SmtpSession<PeerState>, mailFrom: string): PeerOptions {
    const fromDomain = mailFrom.slice(mailFrom.lastIndexOf('@') + 1).toLowerCase();
    const candidates = this.peers.at(session.remoteAddress).filter((p) => {
      if (p.inboundAuth && session.user !== p.domain) return false;
      if (p.requireInboundTls && !session.secure) return false;
      if (p.clientCertificate && !certificateMatches(p.clientCertificate, session.certificate)) return false;
      return true;
    });
    if (candidates.length === 0) {
      this.log.warn({ remote: session.remoteAddress, user: session.user, mailFrom }, 'MM4 sender did not prove to be a configured peer');
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
