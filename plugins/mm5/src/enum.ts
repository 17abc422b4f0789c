import { Resolver } from 'node:dns/promises';
import { CachedNumberSource } from './cached-source.js';
import type { Lookup } from './lookup.js';
import type { EnumResolverOptions } from './options.js';

/** A NAPTR record as node:dns returns it. */
export interface NaptrRecord {
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
  order: number;
  preference: number;
}

/** `+4930123` → `3.2.1.0.3.9.4.e164.arpa` (RFC 6116 §2.4). */
export function enumName(e164: string, suffix: string): string {
  const digits = e164.replace(/\D/g, '');
  return `${[...digits].reverse().join('.')}.${suffix.replace(/^\.+|\.+$/g, '')}`;
}

/** Applies an ENUM NAPTR substitution expression (`!regex!replacement!flags`) to the number. */
export function applyNaptrRegexp(expression: string, aus: string): string | undefined {
  if (expression.length < 3) return undefined;
  const delim = expression[0]!;
  const fields: string[] = [];
  let current = '';
  for (let i = 1; i < expression.length; i++) {
    const c = expression[i]!;
    if (c === '\\' && expression[i + 1] === delim) {
      current += delim;
      i++;
    } else if (c === delim) {
      fields.push(current);
      current = '';
    } else current += c;
  }
  fields.push(current);
  if (fields.length !== 3) return undefined;
  const [pattern, replacement, flags] = fields as [string, string, string];
  let re: RegExp;
  try {
    re = new RegExp(pattern, flags.includes('i') ? 'i' : '');
  } catch {
    return undefined;
  }
  const m = re.exec(aus);
  if (!m) return undefined;
  return replacement.replace(/\\(\d)/g, (_x, d: string) => m[Number(d)] ?? '');
}

const NOT_FOUND_CODES = new Set(['ENOTFOUND', 'ENODATA', 'NOTFOUND', 'NODATA']);

/** What a usable NAPTR answer points at. */
export function interpretUri(uri: string): Lookup | undefined {
  const lower = uri.toLowerCase();
  if (lower.startsWith('mailto:')) {
    const at = uri.lastIndexOf('@');
    if (at < 0) return undefined;
    return { kind: 'domain', domain: uri.slice(at + 1).toLowerCase() };
  }
  if (lower.startsWith('tel:')) {
    // Number portability data (RFC 4694): rn = routing number, spn = serving provider network.
    const params = new Map<string, string>();
    for (const p of uri.split(';').slice(1)) {
      const eq = p.indexOf('=');
      params.set((eq < 0 ? p : p.slice(0, eq)).toLowerCase(), eq < 0 ? '' : decodeURIComponent(p.slice(eq + 1)));
    }
    const id = params.get('spn') || params.get('rn');
    if (id) return { kind: 'operator', id };
    // npdi without rn: the number is not ported, so its home operator (a table) answers.
    return { kind: 'not-found' };
  }
  if (lower.startsWith('sip:') || lower.startsWith('sips:')) {
    const host = uri.slice(uri.indexOf('@') + 1).split(/[;:>]/)[0];
    return host ? { kind: 'domain', domain: host.toLowerCase() } : undefined;
  }
  return undefined;
}

function dnsResolver(options: EnumResolverOptions): Resolver {
  const resolver = new Resolver({ timeout: options.timeoutMs, tries: options.tries });
  if (options.servers.length) resolver.setServers(options.servers);
  return resolver;
}

/** ENUM (DNS NAPTR) number-portability lookups with a cache and timeouts. */
export class EnumSource extends CachedNumberSource<EnumResolverOptions> {
  private readonly resolver = dnsResolver(this.options);
  private readonly services = this.options.services.map((s) => s.toLowerCase());
  /** DNS questions sent (for metrics and tests). */
  queries = 0;

  close(): void {
    this.resolver.cancel();
  }

  protected async ask(e164: string): Promise<Lookup> {
    const name = enumName(e164, this.options.suffix);
    let records: NaptrRecord[];
    this.queries += 1;
    try {
      records = await this.resolver.resolveNaptr(name);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (NOT_FOUND_CODES.has(code)) {
        return this.remember(e164, { kind: 'not-found' });
      }
      return { kind: 'error', message: `ENUM lookup of ${name} failed: ${code || (error as Error).message}` };
    }
    return this.remember(e164, this.choose(records, e164));
  }

  private rank(service: string): number {
    const s = service.toLowerCase();
    return this.services.findIndex((want) => s === want || (!want.includes(':') && s.startsWith(`${want}:`)) || s === want.split(':')[0]);
  }

  private choose(records: NaptrRecord[], e164: string): Lookup {
    const usable = records
      .filter((r) => r.flags.toLowerCase() === 'u' && r.regexp && this.rank(r.service) >= 0)
      .sort((a, b) => a.order - b.order || a.preference - b.preference || this.rank(a.service) - this.rank(b.service));
    for (const record of usable) {
      const uri = applyNaptrRegexp(record.regexp, e164);
      if (!uri) continue;
      const answer = interpretUri(uri);
      if (answer) return answer;
    }
    return { kind: 'not-found' };
  }
}
