import { definePlugin, type PluginDefinition } from '@openmmsc/core';

/** A plugin that routes every recipient to `target` (for tests that do not care about routing). */
export function routeAllTo(target: string): PluginDefinition {
  return definePlugin({
    name: `route-all-to-${target}`,
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup: () => ({
      route: (ctx) => {
        for (const r of ctx.recipients) ctx.route(r, { target });
      },
    }),
  });
}
