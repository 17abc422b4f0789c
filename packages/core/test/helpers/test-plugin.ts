import { definePlugin, type PluginDefinition } from '@openmmsc/core';

/** A plugin of a test, where only its name and what `setup` does matter (version 0.0.0, plugin API ^1.0.0). */
export function testPlugin(name: string, setup: PluginDefinition['setup']): PluginDefinition {
  return definePlugin({ name, version: '0.0.0', apiVersion: '^1.0.0', setup });
}
