import type { KernelContext } from '../kernel/kernel-context.js';
import { assertKnownHooks } from '../plugin/check-plugin-shape.js';
import type { PluginContext, PluginHooks } from '../plugin/define-plugin.js';
import { Services } from '../services/tokens.js';
import type { Started, StartInput } from './started.js';

/** Runs each plugin's `setup` in config order with its context; records its hooks as it goes. */
export async function setupPlugins(input: StartInput, started: Started): Promise<void> {
  const k = started.k;
  for (const { definition, options } of input.resolved.plugins) {
    const ctx = pluginContext(input, started, definition.name, options);
    let hooks: PluginHooks;
    try {
      hooks = (await definition.setup(ctx)) ?? {};
    } catch (error) {
      throw new Error(`plugin ${ctx.name} failed to set up: ${(error as Error).message}`, { cause: error });
    }
    assertKnownHooks(ctx.name, hooks);
    k.hooks.add(ctx.name, hooks);
    started.plugins.push({ name: ctx.name, hooks });
  }
}

function pluginContext(input: StartInput, started: Started, name: string, options: unknown): PluginContext<unknown> {
  const services = started.services;
  const resolve = services.resolver;
  return {
    name,
    options,
    baseDir: input.resolved.baseDir,
    config: input.config,
    worker: input.worker?.slot,
    log: resolve.get(Services.Logger).child({ plugin: name }),
    metrics: resolve.get(Services.Metrics),
    clock: resolve.get(Services.Clock),
    kv: resolve.get(Services.MessageStore).kv(`plugin:${name}`),
    mmsc: input.runtime,
    services: resolve,
    provide: (service: string | symbol, implementation: unknown) => services.provide(name, service, implementation),
    service: (service) => services.single(service),
    jobs: started.pluginJobs.forPlugin(name),
    adminRoutes: (register) => void started.adminRoutes.push(register),
    expose: (value) => {
      started.exposures.set(name, value);
    },
  };
}
