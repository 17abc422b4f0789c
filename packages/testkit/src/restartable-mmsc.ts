import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mmsc } from '@openmmsc/core';
import { startTestMmsc, type TestMmsc, type TestMmscOptions } from './test-mmsc.js';

/**
 * An MMSC on a SQLite store that outlives it, for tests that a job survives a restart: `start()`
 * brings a node up on the store (with the plugins and config of `options`), `down()` takes it down as a
 * restart would, `start()` again finds the same store; `stop()` at the end also removes the
 * store's folder. Use with `whileRunning(restartableMmsc(…), async (node) => …)`.
 */
export interface RestartableMmsc {
  /** The running node's kernel; throws while it is down. */
  readonly mmsc: Mmsc;
  /** The SQLite file every start uses. */
  readonly store: string;
  /** Starts a node on the store (stopping one that still runs first). */
  start(): Promise<TestMmsc>;
  /** The same as `start()`, for a test that reads better saying so. */
  restart(): Promise<TestMmsc>;
  /** Stops the running node, leaving the store for the next start. */
  down(): Promise<void>;
  /** Stops a running node and removes the store. */
  stop(): Promise<void>;
}

export async function restartableMmsc(prefix: string, options: TestMmscOptions): Promise<RestartableMmsc> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const store = join(dir, 'store.sqlite');
  let node: TestMmsc | undefined;
  const down = async () => {
    const running = node;
    node = undefined;
    await running?.stop();
  };
  const start = async () => {
    await down();
    node = await startTestMmsc({ ...options, config: { ...options.config, store: { type: 'sqlite', path: store } } });
    return node;
  };
  return {
    store,
    get mmsc() {
      if (!node) throw new Error('restartableMmsc: the node is down');
      return node.mmsc;
    },
    start,
    restart: start,
    down,
    async stop() {
      try {
        await down();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** How many times jobs (of `kind`, or of any kind) were put back for a retry, from `openmmsc_jobs_total`. */
export async function jobRetries(mmsc: Mmsc, kind?: string): Promise<number> {
  const metric = mmsc.registry.getSingleMetric('openmmsc_jobs_total');
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => v.labels.outcome === 'retry' && (kind === undefined || v.labels.kind === kind)).reduce((n, v) => n + v.value, 0);
}
