import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError, formatPath, type ConfigProblem } from './config-error.js';

/**
 * Reads a YAML or JSON config file. `${env:NAME}` and `${env:NAME:-default}` in string values
 * are replaced from the environment, so secrets need not live in the file; any other `${…}` is
 * an error. The result is text: the schema walk types it where a number or boolean is wanted.
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
  const problems: ConfigProblem[] = [];
  const result = substituteEnv(raw, [], problems);
  if (problems.length) throw new ConfigError(problems, path);
  return result ?? {};
}

const REFERENCE = /\$\{([^}]*)\}/g;
const ENV_REFERENCE = /^env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

function substituteEnv(value: unknown, at: PropertyKey[], problems: ConfigProblem[]): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (whole, inner: string) => {
      const ref = ENV_REFERENCE.exec(inner);
      if (!ref) {
        // `${NAME}` would otherwise be taken literally: a password of "${NAME}".
        problems.push({ path: formatPath(at), message: `${whole} is not a reference this file understands; write \${env:NAME} or \${env:NAME:-default}` });
        return whole;
      }
      const name = ref[1]!;
      const fallback = ref[2];
      const v = process.env[name];
      if (v !== undefined) return v;
      if (fallback !== undefined) return fallback;
      problems.push({ path: formatPath(at), message: `environment variable ${name} is not set` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, [...at, i], problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, [...at, k], problems)]));
  }
  return value;
}
