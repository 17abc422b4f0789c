import type { KernelConfigInput } from './config/kernel-schema.js';
import { loadConfig, resolveConfig, type PluginInput } from './config/resolve-config.js';
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
  const resolveOpts = opts.plugins ? { plugins: opts.plugins } : {};
  const resolved = opts.configFile
    ? await loadConfig(opts.configFile, resolveOpts)
    : await resolveConfig(opts.config ?? {}, { ...resolveOpts, ...(opts.baseDir ? { baseDir: opts.baseDir } : {}) });
  const mmscOptions: MmscOptions = {};
  if (opts.clock) mmscOptions.clock = opts.clock;
  if (opts.logger) mmscOptions.logger = opts.logger;
  if (opts.statfs) mmscOptions.statfs = opts.statfs;
  const mmsc = new Mmsc(resolved, mmscOptions);
  if (opts.start !== false) await mmsc.start();
  return mmsc;
}
