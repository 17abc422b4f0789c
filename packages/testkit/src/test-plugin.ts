import { definePlugin, type PluginDefinition } from '@openmmsc/core';

/**
 * A plugin written inside a test: `name`, version 0.0.0, for this kernel's plugin API, with no
 * options; `setup` is as in `definePlugin` (return stage hooks, provide services). For a plugin that
 * only provides one service, `serviceProvider` says it shorter.
 */
export function testPlugin(name: string, setup: PluginDefinition['setup']): PluginDefinition {
  return definePlugin({ name, version: '0.0.0', apiVersion: '^1.0.0', setup });
}
