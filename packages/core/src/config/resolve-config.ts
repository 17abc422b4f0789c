import { dirname, resolve } from 'node:path';
import type { PluginDefinition } from '../plugin/define-plugin.js';
import { assertApiCompatible } from '../plugin/api-version.js';
import { definitionProblems } from '../plugin/check-plugin-shape.js';
import { loadPluginModule } from '../plugin/load-plugin.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { kernelConfigSchema, type KernelConfig } from './kernel-schema.js';
import { parseConfig } from './parse-config.js';
import { readConfigFile } from './read-config-file.js';

export interface ResolvedPlugin {
  definition: PluginDefinition;
  options: unknown;
  /** The options as given, before defaults: tells an option the operator set from a default. */
  input: unknown;
  /** Position in `plugins[]`, for messages. */
  index: number;
}

export interface ResolvedConfig {
  kernel: KernelConfig;
  /** The kernel config as given, before defaults. */
  kernelInput: unknown;
  plugins: ResolvedPlugin[];
  /** Relative paths in config resolve against this directory. */
  baseDir: string;
  source?: string;
}

/** A plugin given in code (programmatic API) rather than by package name. */
export type PluginInput = PluginDefinition | { plugin: PluginDefinition; options?: unknown; enabled?: boolean };

export interface ResolveOptions {
  baseDir?: string;
  source?: string;
  /** Plugins given as objects; they come after those listed by name in `raw.plugins`. */
  plugins?: readonly PluginInput[];
}

/** Validates the kernel config, loads every plugin, checks its API range and validates its options. */
export async function resolveConfig(raw: unknown, opts: ResolveOptions = {}): Promise<ResolvedConfig> {
  const baseDir = opts.baseDir ?? process.cwd();
  const parsed = parseConfig(kernelConfigSchema, raw ?? {});
  // Unknown kernel keys do not stop plugin validation: one run names every problem.
  if (!parsed.data) throw new ConfigError(parsed.problems, opts.source);
  const kernel = absolutisePaths(parsed.data, baseDir);

  const problems: ConfigProblem[] = [...parsed.problems];
  const plugins: ResolvedPlugin[] = [];
  const entries: Array<{ definition?: PluginDefinition; name: string; options: unknown; enabled: boolean }> = [
    ...kernel.plugins.map((e) =>
      typeof e === 'string' ? { name: e, options: {}, enabled: true } : { name: e.name, options: e.options, enabled: e.enabled },
    ),
    ...(opts.plugins ?? []).map((p) =>
      'plugin' in p
        ? { definition: p.plugin, name: p.plugin.name, options: p.options ?? {}, enabled: p.enabled ?? true }
        : { definition: p, name: p.name, options: {}, enabled: true },
    ),
  ];

  for (const [index, entry] of entries.entries()) {
    if (!entry.enabled) continue;
    let where = `plugins[${index}] (${entry.name})`;
    let definition = entry.definition;
    try {
      definition ??= await loadPluginModule(entry.name, baseDir);
      assertApiCompatible(definition.name, definition.apiVersion);
    } catch (error) {
      problems.push({ path: where, message: (error as Error).message });
      continue;
    }
    // A plugin named by a path is called by its own name from here on, as in `check` and logs.
    where = `plugins[${index}] (${definition.name})`;
    const shape = definitionProblems(definition);
    if (shape.length) {
      problems.push(...shape.map((message) => ({ path: where, message })));
      continue;
    }
    const input = entry.options ?? {};
    let options: unknown = input;
    if (definition.configSchema) {
      const result = parseConfig(definition.configSchema, input, where);
      problems.push(...result.problems);
      if (result.problems.length) continue;
      options = result.data;
    }
    if (plugins.some((p) => p.definition.name === definition.name)) {
      problems.push({ path: where, message: `plugin ${definition.name} is listed twice` });
      continue;
    }
    plugins.push({ definition, options, input, index });
  }
  if (problems.length) throw new ConfigError(problems, opts.source);
  const resolved: ResolvedConfig = { kernel, kernelInput: raw ?? {}, plugins, baseDir };
  if (opts.source) resolved.source = opts.source;
  return resolved;
}

/** Reads and resolves a config file; relative paths resolve against its directory. */
export async function loadConfig(path: string, opts: Omit<ResolveOptions, 'baseDir' | 'source'> = {}): Promise<ResolvedConfig> {
  const file = resolve(path);
  const raw = await readConfigFile(file);
  return resolveConfig(raw, { ...opts, baseDir: dirname(file), source: file });
}

function absolutisePaths(config: KernelConfig, baseDir: string): KernelConfig {
  const store = config.store.type === 'sqlite' ? { ...config.store, path: resolve(baseDir, config.store.path) } : config.store;
  let queue = config.queue;
  if (queue?.type === 'sqlite') queue = { ...queue, path: resolve(baseDir, queue.path) };
  return { ...config, store, queue };
}
