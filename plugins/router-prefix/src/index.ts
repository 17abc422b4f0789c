import { definePackagedPlugin, pluginManifest } from '@openmmsc/core';
import { prefixRouterOptions } from './options.js';
import { PrefixTable, prefixTableFacts } from './prefix-table.js';

export { prefixRouterOptions, type PrefixRouterOptions } from './options.js';
export { PrefixTable, prefixTableFacts } from './prefix-table.js';

/** Routes recipients by the longest matching number prefix, e-mail domain or short code. */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'Prefix-table routing resolver: longest prefix wins',
  configSchema: prefixRouterOptions,
  facts: (options) => ({ resolver: prefixTableFacts(options) }),
  setup(ctx) {
    const table = new PrefixTable(ctx.options);
    ctx.provide('RoutingResolver', {
      name: ctx.name,
      resolve: async (address) => table.resolve(address),
    });
    ctx.log.debug({ routes: ctx.options.routes.length }, 'prefix table loaded');
  },
});
