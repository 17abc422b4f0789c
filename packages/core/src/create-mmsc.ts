import type { KernelConfigInput } from './config/kernel-schema.js';
import { loadConfig, resolveConfig, type PluginInput, type ResolvedConfig } from './config/resolve-config.js';
import { Mmsc, type MmscOptions } from './mmsc.js';

export interface CreateMmscOptions extends MmscOptions {
  /** A YAML or JSON config file; relative paths in it resolve against its directory. */
  configFile?: string;
  /** Config as an object, when there is no file. */
  config?: KernelConfigInput;
  /** Where relative paths and plugin package names resolve from (default: cwd). */
  baseDir?: string;
  /** Plugin objects given in code, after those named in config. */
  plugins?: readonly PluginInput[];
  /** Start at once (default true). */
  start?: boolean;
}

/**
 * The programmatic way in: validates config, loads plugins, starts the MMSC.
 *
 * ```ts
 * const mmsc = await createMmsc({ config: { admin: { port: 0 } }, plugins: [myPlugin] });
 * await mmsc.submit({ message, origin: { interface: 'api' } });
 * await mmsc.stop();
 * ```
 */
export async function createMmsc(opts: CreateMmscOptions = {}): Promise<Mmsc> {
  const mmsc = new Mmsc(await resolveMmscConfig(opts), mmscOptionsOf(opts));
  if (opts.start !== false) await mmsc.start();
  return mmsc;
}

/** Validates the config of `opts` and loads its plugins (a config error is thrown here). */
export async function resolveMmscConfig(opts: CreateMmscOptions): Promise<ResolvedConfig> {
  const resolveOpts = opts.plugins ? { plugins: opts.plugins } : {};
  return opts.configFile
    ? loadConfig(opts.configFile, resolveOpts)
    : resolveConfig(opts.config ?? {}, { ...resolveOpts, ...(opts.baseDir ? { baseDir: opts.baseDir } : {}) });
}

/** The `Mmsc` constructor's options out of `createMmsc`'s. */
export function mmscOptionsOf(opts: CreateMmscOptions): MmscOptions {
  const mmscOptions: MmscOptions = {};
  if (opts.clock) mmscOptions.clock = opts.clock;
  if (opts.logger) mmscOptions.logger = opts.logger;
  if (opts.statfs) mmscOptions.statfs = opts.statfs;
  if (opts.worker) mmscOptions.worker = opts.worker;
  return mmscOptions;
}
