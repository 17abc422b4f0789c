import { loadConfig, maskSecrets } from '@openmmsc/core';
import { stringify } from 'yaml';
import type { Output } from '../output.js';

/** Validates a config file with every plugin's schema and prints it resolved, secrets masked. */
export async function checkCommand(configFile: string, out: Output, format: 'yaml' | 'json'): Promise<void> {
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
  out.info(`${configFile}: configuration is valid (${resolved.plugins.length} plugin(s))`);
}
