import { definePlugin, type PluginContext, type PluginDefinition, type ProvidableService, type ServiceTypes } from '@openmmsc/core';

/**
 * A test plugin that provides one service and nothing else: the usual way a test stands in for a
 * resolver, push bearer, deliverer or report sender. `implementation` runs in `setup`, so it may
 * use the plugin context (its clock, log, kv).
 */
export function serviceProvider<K extends ProvidableService>(
  name: string,
  service: K,
  implementation: (ctx: PluginContext<unknown>) => ServiceTypes[K],
): PluginDefinition {
  return definePlugin({
    name,
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup(ctx) {
      ctx.provide(service, implementation(ctx));
    },
  });
}
