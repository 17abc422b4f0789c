import { Resolver } from 'node:dns/promises';
import { pemOrFile } from '@openmmsc/core';
import nodemailer from 'nodemailer';
import type { Mm4Options, PeerOptions } from './options.js';

/** What sending one SMTP transaction came to. */
export type SendOutcome =
  | { status: 'sent'; response: string; host: string }
  /** 4xx reply, connection or DNS trouble: try again later. */
  | { status: 'retry'; reason: string }
  /** 5xx reply: the peer refused for good. */
  | { status: 'refused'; code: number; reason: string };

export interface OutboundMail {
  from: string;
  to: string[];
  raw: Buffer;
}

type Transporter = ReturnType<typeof nodemailer.createTransport>;

/** A host to connect to, and the name its certificate should carry. */
interface MailHost {
  address: string;
  name: string;
}


/** nodemailer SMTP pools per peer host, with MX lookups for peers without a fixed host. */
export class PeerTransports {
  private readonly pools = new Map<string, Transporter>();
  private readonly resolver = new Resolver({ timeout: 3000, tries: 2 });
  private readonly mxCache = new Map<string, { hosts: MailHost[]; expires: number }>();

  constructor(
    private readonly options: Mm4Options,
    private readonly baseDir: string,
    private readonly now: () => number,
  ) {
    if (options.dnsServers.length) this.resolver.setServers(options.dnsServers);
  }

  /** Peer config for a domain (or one of its aliases). */
  peerFor(domain: string): PeerOptions | undefined {
    const d = domain.toLowerCase();
    return this.options.peers.find((p) => p.domain.toLowerCase() === d || p.aliases.some((a) => a.toLowerCase() === d));
  }

  /** A peer config for an unknown domain (MX delivery), when allowed. */
  defaultPeer(domain: string): PeerOptions | undefined {
    if (this.options.unknownPeers !== 'mx') return undefined;
    return {
      domain,
      aliases: [],
      port: 25,
      secure: false,
      requireTls: false,
      tls: { rejectUnauthorized: true },
      maxConnections: 2,
      addresses: [],
      requireInboundTls: false,
      originators: { domains: [], numbers: [] },
    };
  }

  async send(peer: PeerOptions, mail: OutboundMail): Promise<SendOutcome> {
    let hosts: MailHost[];
    try {
      hosts = peer.host ? [{ address: peer.host, name: peer.host }] : await this.mxHosts(peer.domain);
    } catch (error) {
      return { status: 'retry', reason: `no mail host for ${peer.domain}: ${(error as Error).message}` };
    }
    let last: SendOutcome = { status: 'retry', reason: `no mail host for ${peer.domain}` };
    for (const target of hosts) {
      const host = target.address;
      const transport = this.pool(peer, target);
      try {
        const info = await transport.sendMail({ envelope: { from: mail.from, to: mail.to }, raw: mail.raw });
        const rejected = (info.rejected ?? []).length;
        if (rejected > 0) return { status: 'refused', code: 550, reason: `${host} refused ${rejected} recipient(s): ${info.response}` };
        return { status: 'sent', response: info.response, host };
      } catch (error) {
        const e = error as Error & { responseCode?: number; response?: string; code?: string };
        if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
          return { status: 'refused', code: e.responseCode, reason: `${host}: ${e.response ?? e.message}` };
        }
        last = { status: 'retry', reason: `${host}: ${e.response ?? e.message}` };
      }
    }
    return last;
  }

  async close(): Promise<void> {
    for (const t of this.pools.values()) t.close();
    this.pools.clear();
    this.resolver.cancel();
  }

  private async mxHosts(domain: string): Promise<MailHost[]> {
    const cached = this.mxCache.get(domain);
    if (cached && cached.expires > this.now()) return cached.hosts;
    let hosts: string[];
    try {
      const mx = await this.resolver.resolveMx(domain);
      hosts = mx.sort((a, b) => a.priority - b.priority).map((r) => r.exchange);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENODATA' && code !== 'ENOTFOUND') throw error;
      hosts = [];
    }
    // RFC 5321 §5.1: without MX records the domain itself is the host; hosts must resolve through the same servers.
    if (hosts.length === 0) hosts = [domain];
    const addresses: MailHost[] = [];
    for (const h of hosts) {
      if (/^[\d.]+$/.test(h) || h.includes(':')) {
        addresses.push({ address: h, name: h });
        continue;
      }
      try {
        for (const address of await this.resolver.resolve4(h)) addresses.push({ address, name: h });
      } catch {
        /* try the next host */
      }
    }
    if (addresses.length === 0) throw new Error(`no address for ${hosts.join(', ')}`);
    this.mxCache.set(domain, { hosts: addresses, expires: this.now() + 60_000 });
    return addresses;
  }

  private pool(peer: PeerOptions, target: MailHost): Transporter {
    const host = target.address;
    const key = `${peer.domain}|${host}|${target.name}|${peer.port}`;
    let t = this.pools.get(key);
    if (t) return t;
    const tls: Record<string, unknown> = { rejectUnauthorized: peer.tls.rejectUnauthorized };
    const ca = pemOrFile(peer.tls.ca, this.baseDir);
    const cert = pemOrFile(peer.tls.cert, this.baseDir);
    const key2 = pemOrFile(peer.tls.key, this.baseDir);
    if (ca) tls.ca = ca;
    if (cert) tls.cert = cert;
    if (key2) tls.key = key2;
    // Certificates name the host (an MX name, or the configured host); an IP literal cannot be an SNI name.
    const name = peer.tls.servername ?? target.name;
    if (!/^[\d.]+$/.test(name) && !name.includes(':')) tls.servername = name;
    t = nodemailer.createTransport({
      pool: true,
      host,
      port: peer.port,
      secure: peer.secure,
      requireTLS: peer.requireTls,
      maxConnections: peer.maxConnections,
      maxMessages: 100,
      name: this.options.domain,
      connectionTimeout: this.options.timeouts.connectMs,
      greetingTimeout: this.options.timeouts.greetingMs,
      socketTimeout: this.options.timeouts.socketMs,
      tls,
      ...(peer.auth ? { auth: { user: peer.auth.user, pass: peer.auth.pass } } : {}),
      ...(peer.localAddress ? { localAddress: peer.localAddress } : {}),
    });
    this.pools.set(key, t);
    return t;
  }
}
