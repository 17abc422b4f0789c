import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMmsc, type KernelConfigInput, type Mmsc, type PluginInput } from '@openmmsc/core';

export interface TestMmscOptions {
  /** Plugin objects, in stage order. */
  plugins?: readonly PluginInput[];
  /** Kernel config on top of the test defaults (isolated SQLite store, admin on a free port, silent logs). */
  config?: KernelConfigInput;
  /** Keep the temporary directory after stop (for debugging). */
  keepDir?: boolean;
}

export interface TestMmsc {
  mmsc: Mmsc;
  /** The isolated directory holding the store, queue and any files plugins write. */
  dir: string;
  /** Stops the MMSC and removes its directory. */
  stop(): Promise<void>;
}

/** An MMSC in this process with its own store in a temporary directory and a random admin port. */
export async function startTestMmsc(opts: TestMmscOptions = {}): Promise<TestMmsc> {
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-test-'));
  const config: KernelConfigInput = {
    store: { type: 'sqlite', path: join(dir, 'store.sqlite') },
    admin: { host: '127.0.0.1', port: 0 },
    log: { level: (process.env.OPENMMSC_TEST_LOG as 'info' | undefined) ?? 'silent' },
    ...opts.config,
    // A test machine running many suites at once lags like an overloaded node: no shedding for
    // event-loop delay unless a test asks for it.
    admission: { maxEventLoopDelay: 0, ...opts.config?.admission },
  };
  let mmsc: Mmsc;
  try {
    mmsc = await createMmsc({ config, baseDir: dir, ...(opts.plugins ? { plugins: opts.plugins } : {}) });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    mmsc,
    dir,
    async stop() {
      await mmsc.stop();
      if (!opts.keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
