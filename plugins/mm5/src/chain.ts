import type { Address, Resolution, Route } from '@openmmsc/core';
import type { Lookup, LookupSource } from './lookup.js';
import type { Mm5Options, OperatorOptions } from './options.js';

type Outcome = Omit<Route, 'by'>;

/** The part of a pino logger the chain uses. */
export interface ChainLog {
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** The MMS domain of an operator: configured, or `mms.mnc<MNC>.mcc<MCC>.gprs` (TS 23.003 style). */
export function operatorDomain(o: OperatorOptions): string | undefined {
  if (o.domain) return o.domain.toLowerCase();
  if (o.mcc && o.mnc) return `mms.mnc${o.mnc.padStart(3, '0')}.mcc${o.mcc}.gprs`;
  return undefined;
}

/** Sources asked in order; the first confident answer wins. */
export class ResolverChain {
  private readonly operators = new Map<string, OperatorOptions>();
  private readonly localDomains: Set<string>;

  constructor(
    readonly sources: readonly LookupSource[],
    private readonly options: Pick<Mm5Options, 'operators' | 'localDomains' | 'retryAfterMs' | 'unmatched'>,
    private readonly log: ChainLog,
  ) {
    for (const o of options.operators) {
      this.operators.set(o.id.toLowerCase(), o);
      for (const alias of o.aliases) this.operators.set(alias.toLowerCase(), o);
    }
    this.localDomains = new Set(options.localDomains.map((d) => d.toLowerCase()));
    for (const o of options.operators) {
      const d = operatorDomain(o);
      if (o.local && d) this.localDomains.add(d);
    }
  }

  async resolve(address: Address, signal: AbortSignal): Promise<Resolution | undefined> {
    for (const source of this.sources) {
      let answer: Lookup;
      try {
        answer = await source.lookup(address, signal);
      } catch (error) {
        answer = { kind: 'error', message: (error as Error).message };
      }
      if (answer.kind === 'skip') continue;
      if (answer.kind === 'not-found') {
        if (source.onNotFound === 'reject') return reject(`${address.value} is not known to ${source.name}`);
        continue;
      }
      if (answer.kind === 'error') {
        const policy = answer.permanent && source.onError === 'defer' ? 'reject' : source.onError;
        this.log.warn({ resolver: source.name, address: address.value, policy }, answer.message);
        if (policy === 'defer') {
          return { kind: 'defer', reason: { code: 'network-problem', message: `number lookup failed (${source.name}); will try again` }, retryAfterMs: this.options.retryAfterMs };
        }
        if (policy === 'reject') return reject(`number lookup failed (${source.name})`);
        continue;
      }
      const route = this.toRoute(answer, source.name);
      if (!route) continue;
      this.log.debug({ resolver: source.name, address: address.value, route }, 'resolved');
      return { kind: 'route', route };
    }
    if (this.options.unmatched === 'reject') return reject(`no route to ${address.value}`);
    return undefined;
  }

  private toRoute(answer: Extract<Lookup, { kind: 'route' | 'operator' | 'domain' }>, by: string): Outcome | undefined {
    switch (answer.kind) {
      case 'route':
        return answer.destination ? { target: answer.target, destination: answer.destination, attributes: { resolver: by } } : { target: answer.target, attributes: { resolver: by } };
      case 'domain': {
        if (this.localDomains.has(answer.domain)) return { target: 'local', attributes: { resolver: by } };
        return { target: answer.target ?? 'mm4', destination: answer.domain, attributes: { resolver: by } };
      }
      case 'operator': {
        const op = this.operators.get(answer.id.toLowerCase());
        if (!op) {
          this.log.warn({ resolver: by, operator: answer.id }, `operator "${answer.id}" is not configured; asking the next resolver`);
          return undefined;
        }
        if (op.local) return { target: 'local', attributes: { resolver: by, operator: op.id } };
        const domain = operatorDomain(op);
        return domain ? { target: op.target, destination: domain, attributes: { resolver: by, operator: op.id } } : { target: op.target, attributes: { resolver: by, operator: op.id } };
      }
    }
  }
}

function reject(message: string): Resolution {
  return { kind: 'reject', reason: { code: 'address-unresolved', message } };
}
