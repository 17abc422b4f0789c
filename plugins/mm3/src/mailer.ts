import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { Resolver } from 'node:dns/promises';
import nodemailer from 'nodemailer';
import type { Mm3Options } from './options.js';

export type SendOutcome =
  | { status: 'sent'; response: string; messageId?: string }
  | { status: 'retry'; reason: string }
  | { status: 'refused'; code: number; reason: string };

type Transporter = ReturnType<typeof nodemailer.createTransport>;
export type MailOptions = Parameters<Transporter['sendMail']>[0];

/** Sends e-mail through the configured relay, or to the recipient domain's MX hosts. */
export class Mailer {
  private readonly pools = new Map<string, Transporter>();
  private readonly resolver = new Resolver({ timeout: 3000, tries: 2 });

  constructor(
    private readonly options: Mm3Options,
    private readonly baseDir: string,
  ) {
    if (options.dnsServers.length) this.resolver.setServers(options.dnsServers);
  }

  async send(to: string, mail: MailOptions): Promise<SendOutcome> {
    let hosts: Array<{ host: string; port: number }>;
    if (this.options.relay) hosts = [{ host: this.options.relay.host, port: this.options.relay.port }];
    else {
      try {
        hosts = (await this.mx(to.slice(to.lastIndexOf('@') + 1))).map((host) => ({ host, port: 25 }));
      } catch (error) {
        return { status: 'retry', reason: `no mail host for ${to}: ${(error as Error).message}` };
      }
    }
    let last: SendOutcome = { status: 'retry', reason: 'no mail host' };
    for (const { host, port } of hosts) {
      try {
        const info = await this.pool(host, port).sendMail(mail);
        if ((info.rejected ?? []).length) return { status: 'refused', code: 550, reason: `${host}: ${info.response}` };
        return info.messageId ? { status: 'sent', response: info.response, messageId: info.messageId } : { status: 'sent', response: info.response };
      } catch (error) {
        const e = error as Error & { responseCode?: number; response?: string };
        if (typeof e.responseCode === 'number' && e.responseCode >= 500) return { status: 'refused', code: e.responseCode, reason: `${host}: ${e.response ?? e.message}` };
        last = { status: 'retry', reason: `${host}: ${e.response ?? e.message}` };
      }
    }
    return last;
  }

  close(): void {
    for (const p of this.pools.values()) p.close();
    this.pools.clear();
    this.resolver.cancel();
  }

  private async mx(domain: string): Promise<string[]> {
    let hosts: string[] = [];
    try {
      hosts = (await this.resolver.resolveMx(domain)).sort((a, b) => a.priority - b.priority).map((m) => m.exchange);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENODATA' && code !== 'ENOTFOUND') throw error;
    }
    if (hosts.length === 0) hosts = [domain];
    const out: string[] = [];
    for (const h of hosts) {
      if (/^[\d.]+$/.test(h)) out.push(h);
      else out.push(...(await this.resolver.resolve4(h).catch(() => [] as string[])));
    }
    if (!out.length) throw new Error(`no address for ${hosts.join(', ')}`);
    return out;
  }

  private pool(host: string, port: number): Transporter {
    const key = `${host}:${port}`;
    let t = this.pools.get(key);
    if (t) return t;
    const relay = this.options.relay;
    const ca = relay?.ca ? (relay.ca.includes('-----BEGIN') ? relay.ca : readFileSync(resolvePath(this.baseDir, relay.ca), 'utf8')) : undefined;
    t = nodemailer.createTransport({
      pool: true,
      host,
      port,
      secure: relay?.secure ?? false,
      requireTLS: relay?.requireTls ?? false,
      maxConnections: relay?.maxConnections ?? 2,
      name: this.options.fromDomain ?? this.options.domain,
      connectionTimeout: this.options.timeouts.connectMs,
      socketTimeout: this.options.timeouts.socketMs,
      tls: { rejectUnauthorized: relay?.rejectUnauthorized ?? true, ...(ca ? { ca } : {}) },
      ...(relay?.auth ? { auth: { user: relay.auth.user, pass: relay.auth.pass } } : {}),
    });
    this.pools.set(key, t);
    return t;
  }
}
