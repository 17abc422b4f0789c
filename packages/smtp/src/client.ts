/** Sending through nodemailer: a connection pool per host and settings, MX lookup, replies classified. */
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { MxResolver, type MailHost } from './mx.js';
import { failedOutcome, sentOutcome, type SendOutcome } from './outcome.js';
import { clientTlsOptions, type SmtpClientTls } from './tls.js';

/** Where and how to send: a relay or configured host, or a domain's MX hosts. */
export interface SmtpRoute {
  /** The mail domain: its MX records are looked up when there is no `host`. */
  domain: string;
  /** A fixed host (smarthost, a peer's configured host); the certificate must name it (or `tls.servername`). */
  host?: string;
  port: number;
  /** Implicit TLS from the first byte (SMTPS) instead of STARTTLS. */
  secure: boolean;
  /** Refuse to send unless STARTTLS succeeds (it is tried whenever offered). */
  requireTls: boolean;
  tls?: SmtpClientTls;
  auth?: { user: string; pass: string };
  /** Parallel connections to one host. */
  maxConnections: number;
  /** Source IP address. */
  localAddress?: string;
}

export interface SmtpClientOptions {
  /** Our name in EHLO. */
  name: string;
  /** Where relative PEM paths in `tls` resolve. */
  baseDir: string;
  /** DNS servers for MX lookups (`host` or `host:port`); empty: the system's. */
  dnsServers?: readonly string[];
  timeouts: { connectMs: number; greetingMs?: number; socketMs: number };
  now?: () => number;
}

/** A message as nodemailer takes it: `{ envelope, raw }` for content built elsewhere, or fields it composes. */
export type OutboundMessage = Mail.Options;

type Transporter = ReturnType<typeof nodemailer.createTransport>;

export class SmtpClient {
  private readonly pools = new Map<string, Transporter>();
  private readonly mx: MxResolver;

  constructor(private readonly o: SmtpClientOptions) {
    this.mx = new MxResolver({ ...(o.dnsServers ? { dnsServers: o.dnsServers } : {}), ...(o.now ? { now: o.now } : {}) });
  }

  /** Sends one message; tries the domain's hosts in turn while they fail transiently. */
  async send(route: SmtpRoute, message: OutboundMessage): Promise<SendOutcome> {
    let hosts: MailHost[];
    try {
      hosts = route.host ? [{ address: route.host, name: route.host }] : await this.mx.hosts(route.domain);
    } catch (error) {
      return { status: 'retry', reason: `no mail host for ${route.domain}: ${(error as Error).message}` };
    }
    let last: SendOutcome = { status: 'retry', reason: `no mail host for ${route.domain}` };
    // Content built elsewhere has a known size: declared (RFC 1870), a server refuses an oversize
    // message before the data and can receive the rest into one buffer.
    const sized = Buffer.isBuffer(message.raw) && message.envelope && !('size' in message.envelope) ? { ...message, envelope: { ...message.envelope, size: message.raw.length } } : message;
    for (const host of hosts) {
      try {
        return sentOutcome(host.address, await this.pool(route, host).sendMail(sized));
      } catch (error) {
        last = failedOutcome(host.address, error);
        if (last.status === 'refused') return last;
      }
    }
    return last;
  }

  async close(): Promise<void> {
    for (const t of this.pools.values()) t.close();
    this.pools.clear();
    this.mx.close();
  }

  private pool(route: SmtpRoute, target: MailHost): Transporter {
    const tls = clientTlsOptions(route.tls, this.o.baseDir, target.name);
    // Hosts shared by several domains share a pool as long as the settings are the same.
    const key = JSON.stringify([target.address, route.port, route.secure, route.requireTls, tls, route.auth, route.localAddress, route.maxConnections]);
    let t = this.pools.get(key);
    if (t) return t;
    const { timeouts } = this.o;
    t = nodemailer.createTransport({
      pool: true,
      host: target.address,
      port: route.port,
      secure: route.secure,
      requireTLS: route.requireTls,
      maxConnections: route.maxConnections,
      maxMessages: 100,
      name: this.o.name,
      connectionTimeout: timeouts.connectMs,
      ...(timeouts.greetingMs ? { greetingTimeout: timeouts.greetingMs } : {}),
      socketTimeout: timeouts.socketMs,
      tls,
      ...(route.auth ? { auth: { user: route.auth.user, pass: route.auth.pass } } : {}),
      ...(route.localAddress ? { localAddress: route.localAddress } : {}),
    });
    this.pools.set(key, t);
    return t;
  }
}
