import { suggestName } from '../config/nearest-name.js';
import { DEFINITION_KEYS, HOOK_NAMES, type PluginDefinition, type PluginHooks } from './define-plugin.js';

/** Problems with a plugin definition's own properties (unknown or misspelt ones). */
export function definitionProblems(definition: PluginDefinition): string[] {
  const known: readonly string[] = DEFINITION_KEYS;
  return Object.keys(definition)
    .filter((key) => !known.includes(key))
    .map((key) => `plugin definition has an unknown property "${key}"; ${suggestName(key, DEFINITION_KEYS)}`);
}

/**
 * Refuses hooks `setup` returned under a name the kernel does not know (`recieve` would silently
 * never run) and hooks that are not functions.
 */
export function assertKnownHooks(plugin: string, hooks: PluginHooks): void {
  const known: readonly string[] = HOOK_NAMES;
  const problems: string[] = [];
  for (const [name, fn] of Object.entries(hooks)) {
    if (!known.includes(name)) problems.push(`unknown hook "${name}"; ${suggestName(name, HOOK_NAMES)}`);
    else if (fn !== undefined && typeof fn !== 'function') problems.push(`hook "${name}" is a ${typeof fn}, not a function`);
  }
  if (problems.length) throw new Error(`plugin ${plugin}: ${problems.join('; ')}`);
}
