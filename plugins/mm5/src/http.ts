import { CachedNumberSource } from './cached-source.js';
import { fillTemplate, type Lookup } from './lookup.js';
import type { HttpResolverOptions } from './options.js';

/** Reads `a.b.0.c` from a JSON value. */
export function pick(value: unknown, path: string): string | undefined {
  let cur: unknown = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return undefined;
}

/** An HTTP HLR / MNP gateway: one request per number, its JSON answer mapped to an operator or domain. */
export class HttpSource extends CachedNumberSource<HttpResolverOptions> {
  requests = 0;

  constructor(
    name: string,
    options: HttpResolverOptions,
    defaultOnError: 'defer' | 'reject' | 'next',
    now: () => number,
    private readonly nationalPrefixOf: (e164: string) => string,
  ) {
    super(name, options, defaultOnError, now);
    if (!options.response.operator && !options.response.domain) {
      throw new Error(`${name}: response.operator or response.domain is required`);
    }
  }

  protected async ask(e164: string, signal: AbortSignal): Promise<Lookup> {
    const o = this.options;
    const values = { number: e164, digits: e164.slice(1), national: this.nationalPrefixOf(e164) };
    const url = o.url.replace(/\{(number|digits|national)\}/g, (_m, k: keyof typeof values) => encodeURIComponent(values[k]));
    const body = o.body?.replace(/\{(number|digits|national)\}/g, (_m, k: keyof typeof values) => values[k]);
    this.requests += 1;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: o.method,
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
        ...(o.method === 'POST' && body !== undefined ? { body } : {}),
        signal: AbortSignal.any([signal, AbortSignal.timeout(o.timeoutMs)]),
      });
      text = await response.text();
    } catch (error) {
      const e = error as Error;
      return { kind: 'error', message: `HLR gateway request failed: ${e.name === 'TimeoutError' ? `timed out after ${o.timeoutMs} ms` : e.message}` };
    }
    if (o.notFoundStatus.includes(response.status)) return this.remember(e164, { kind: 'not-found' });
    if (response.status < 200 || response.status > 299) {
      return { kind: 'error', message: `HLR gateway answered HTTP ${response.status}`, permanent: o.permanentStatus.includes(response.status) };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { kind: 'error', message: 'HLR gateway answered something that is not JSON' };
    }
    const fields: Record<string, string | undefined> = {};
    for (const [name, path] of Object.entries(o.response.fields)) fields[name] = pick(json, path);
    if (o.response.operator) {
      const id = fillTemplate(o.response.operator, fields);
      if (id) return this.remember(e164, { kind: 'operator', id });
    }
    if (o.response.domain) {
      const domain = fillTemplate(o.response.domain, fields);
      if (domain) return this.remember(e164, o.response.target ? { kind: 'domain', domain: domain.toLowerCase(), target: o.response.target } : { kind: 'domain', domain: domain.toLowerCase() });
    }
    return this.remember(e164, { kind: 'not-found' });
  }

}
