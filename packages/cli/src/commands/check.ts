import { diagnoseConfig, loadConfig, maskSecrets, type ConfigProblem } from '@openmmsc/core';
import { stringify } from 'yaml';
import type { Output } from '../output.js';

/**
 * Validates a config file with every plugin's schema, prints it resolved with secrets masked, and
 * warns (on stderr) about what cannot work as configured. Returns the warnings.
 */
export async function checkCommand(configFile: string, out: Output, format: 'yaml' | 'json'): Promise<ConfigProblem[]> {
  const resolved = await loadConfig(configFile);
  const view = {
    ...resolved.kernel,
    plugins: resolved.plugins.map((p) => ({
      name: p.definition.name,
      version: p.definition.version,
      apiVersion: p.definition.apiVersion,
      options: p.options,
    })),
  };
  const masked = maskSecrets(view);
  out.print(format === 'json' ? JSON.stringify(masked, null, 2) : stringify(masked));
  const warnings = diagnoseConfig(resolved);
  for (const w of warnings) out.info(`warning: ${w.path}: ${w.message}`);
  const summary = warnings.length ? `, ${warnings.length} warning(s)` : '';
  out.info(`${configFile}: configuration is valid (${resolved.plugins.length} plugin(s))${summary}`);
  return warnings;
}
