import type { z } from 'zod';
import type { PluginDefinition } from './define-plugin.js';
import type { PluginManifest } from './package-identity.js';

/** What a plugin package's definition says itself; who it is comes from its package.json. */
export type PackagedPluginDefinition<Schema extends z.ZodType> = Omit<PluginDefinition<Schema>, keyof PluginManifest>;

/**
 * `definePlugin` for a published plugin package: its name, version and plugin API range are the
 * package's own, never literals that drift at the next release:
 * `export default definePackagedPlugin(pluginManifest(import.meta.url), { description, configSchema, setup })`.
 */
export function definePackagedPlugin<Schema extends z.ZodType>(manifest: PluginManifest, definition: PackagedPluginDefinition<Schema>): PluginDefinition<Schema> {
  return { ...manifest, ...definition };
}
