/** Where mail for a domain goes: its MX hosts by preference, else the domain itself (RFC 5321 §5.1). */
import { Resolver } from 'node:dns/promises';
import { isIpLiteral } from './tls.js';

/** A host to connect to, and the name its certificate should carry. */
export interface MailHost {
  address: string;
  name: string;
}

export interface MxResolverOptions {
  /** DNS servers (`host` or `host:port`); empty: the system's. */
  dnsServers?: readonly string[];
  now?: () => number;
  /** How long an answer is used again. */
  cacheMs?: number;
}

export class MxResolver {
  private readonly resolver = new Resolver({ timeout: 3000, tries: 2 });
  private readonly cache = new Map<string, { hosts: MailHost[]; expires: number }>();
  private readonly now: () => number;
  private readonly cacheMs: number;

  constructor(o: MxResolverOptions = {}) {
    if (o.dnsServers?.length) this.resolver.setServers([...o.dnsServers]);
    this.now = o.now ?? Date.now;
    this.cacheMs = o.cacheMs ?? 60_000;
  }

  /** The addresses to try in order; throws when the domain has none. */
  async hosts(domain: string): Promise<MailHost[]> {
    const key = domain.toLowerCase();
    const cached = this.cache.get(key);
    if (cached && cached.expires > this.now()) return cached.hosts;
    let names: string[];
    try {
      const mx = await this.resolver.resolveMx(domain);
      names = mx.sort((a, b) => a.priority - b.priority).map((r) => r.exchange);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENODATA' && code !== 'ENOTFOUND') throw error;
      names = [];
    }
    // Without MX records the domain itself is the host; hosts resolve through the same servers.
    if (names.length === 0) names = [domain];
    const hosts: MailHost[] = [];
    for (const name of names) {
      if (isIpLiteral(name)) {
        hosts.push({ address: name, name });
        continue;
      }
      try {
        for (const address of await this.resolver.resolve4(name)) hosts.push({ address, name });
      } catch {
        /* try the next host */
      }
    }
    if (hosts.length === 0) throw new Error(`no address for ${names.join(', ')}`);
    this.cache.set(key, { hosts, expires: this.now() + this.cacheMs });
    return hosts;
  }

  close(): void {
    this.resolver.cancel();
  }
}
