import { resolve as resolvePath } from 'node:path';
import { definePackagedPlugin, pluginManifest } from '@openmmsc/core';
import { ResolverChain } from './chain.js';
import { EnumSource } from './enum.js';
import { mm5Facts } from './facts.js';
import { HttpSource } from './http.js';
import type { LookupSource } from './lookup.js';
import { mm5Options, type Mm5Options } from './options.js';
import { LocalSubscriberSource, OperatorPrefixSource, PrefixSource, RangeSource } from './tables.js';

export { mm5Options, type Mm5Options, type Mm5OptionsInput, type ResolverOptions, type OperatorOptions } from './options.js';
export { ResolverChain, operatorDomain, type ChainLog } from './chain.js';
export { EnumSource, enumName, applyNaptrRegexp, interpretUri, type NaptrRecord } from './enum.js';
export { HttpSource, pick } from './http.js';
export { PrefixSource, RangeSource, OperatorPrefixSource, LocalSubscriberSource } from './tables.js';
export type { Lookup, LookupSource } from './lookup.js';
export { mm5Facts } from './facts.js';

export interface BuildOptions {
  baseDir: string;
  now: () => number;
  /** National form of a number for HTTP templates (`{national}`). */
  national?: (e164: string) => string;
}

/** Builds the configured sources, in order. */
export function buildSources(options: Mm5Options, build: BuildOptions): LookupSource[] {
  return options.resolvers.map((r, i) => {
    const name = r.name ?? `${r.type}#${i}`;
    switch (r.type) {
      case 'prefix':
        return new PrefixSource(name, r);
      case 'range':
        return new RangeSource(name, r);
      case 'operators':
        return new OperatorPrefixSource(name, options.operators, r.onNotFound);
      case 'local':
        return new LocalSubscriberSource(name, r, r.file ? resolvePath(build.baseDir, r.file) : undefined, build.now);
      case 'enum':
        return new EnumSource(name, r, options.onError, build.now);
      case 'http':
        return new HttpSource(name, r, options.onError, build.now, build.national ?? ((e) => e.slice(1)));
    }
  });
}

/**
 * MM5: where does a number live. One RoutingResolver that asks its configured sources (tables,
 * local subscribers, ENUM, HTTP HLR gateways) in order; the first confident answer wins.
 */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'MM5 routing resolvers: prefix and range tables, operators, local subscribers, ENUM, HTTP HLR/MNP',
  configSchema: mm5Options,
  facts: (options) => mm5Facts(options),
  async setup(ctx) {
    const cc = ctx.config.addressing.defaultCountryCode;
    const national = (e164: string) => (cc && e164.startsWith(`+${cc}`) ? `${ctx.config.addressing.nationalPrefix}${e164.slice(cc.length + 1)}` : e164.slice(1));
    const sources = buildSources(ctx.options, { baseDir: ctx.baseDir, now: () => ctx.clock.now(), national });
    for (const s of sources) if (s instanceof LocalSubscriberSource) await s.refresh(true);
    const chain = new ResolverChain(sources, ctx.options, ctx.log);
    ctx.provide('RoutingResolver', { name: ctx.name, resolve: (address, signal) => chain.resolve(address, signal) });
    ctx.log.debug({ resolvers: sources.map((s) => s.name) }, 'MM5 resolvers ready');
    return {
      close() {
        for (const s of sources) s.close?.();
      },
    };
  },
});
