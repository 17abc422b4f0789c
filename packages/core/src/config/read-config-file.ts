import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config-error.js';

/**
 * Reads a YAML or JSON config file. `${env:NAME}` and `${env:NAME:-default}` in string values
 * are replaced from the environment, so secrets need not live in the file.
 */
export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: '', message: `cannot read ${path}: ${(error as Error).message}` }]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError([{ path: '', message: `not valid YAML/JSON: ${(error as Error).message}` }], path);
  }
  const missing: string[] = [];
  const result = substituteEnv(raw, missing);
  if (missing.length) {
    throw new ConfigError(
      missing.map((name) => ({ path: '', message: `environment variable ${name} is not set` })),
      path,
    );
  }
  return result ?? {};
}

function substituteEnv(value: unknown, missing: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
      const v = process.env[name];
      if (v !== undefined) return v;
      if (fallback !== undefined) return fallback;
      missing.push(name);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => substituteEnv(v, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, missing)]));
  }
  return value;
}
