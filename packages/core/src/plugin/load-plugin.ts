import { isPluginDefinition, type PluginDefinition } from './define-plugin.js';
import { resolveModule } from './resolve-module.js';

/** Imports a plugin package (or file) named in config and returns its definition. */
export async function loadPluginModule(name: string, fromDir: string): Promise<PluginDefinition> {
  const url = resolveModule(name, fromDir);
  const mod = (await import(url)) as Record<string, unknown>;
  const candidate = mod.default ?? mod.plugin;
  if (!isPluginDefinition(candidate)) {
    throw new Error(`${name} does not export a plugin (expected a default export made with definePlugin)`);
  }
  return candidate;
}
