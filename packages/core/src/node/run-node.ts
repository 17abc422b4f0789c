import { availableParallelism } from 'node:os';
import pino from 'pino';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { MemoryCounters } from '../counters/counters.js';
import { mmscOptionsOf, resolveMmscConfig, type CreateMmscOptions } from '../create-mmsc.js';
import { queueBackendFor } from '../kernel/backends.js';
import { Mmsc } from '../mmsc.js';
import { releaseSqliteJobs } from '../queue/sqlite-job-queue.js';
import type { WorkerStats } from './messages.js';
import { Supervisor } from './supervisor.js';
import { runWorker, workerSlot } from './worker.js';

export interface RunNodeOptions extends Omit<CreateMmscOptions, 'start' | 'worker'> {
  /** Worker processes; overrides the config's `node.workers`. */
  workers?: number | 'auto';
  /** What a worker reports once ready (e.g. its listeners' URLs); the primary's handle shows it as `info`. */
  describe?: (mmsc: Mmsc) => Record<string, unknown>;
}

/** This process runs the whole node (`workers: 1`). */
export interface SingleNode {
  role: 'single';
  mmsc: Mmsc;
  info: Record<string, unknown>;
  stop(): Promise<void>;
}

/** This process supervises the node's workers; it runs no MMSC itself. */
export interface PrimaryNode {
  role: 'primary';
  workers: number;
  /** What the first worker reported when ready. */
  info: Record<string, unknown>;
  /** Live workers' process ids by slot. */
  pids(): Map<number, number>;
  /** Workers restarted since the start. */
  restarts(): number;
  stats(): Promise<WorkerStats[]>;
  /** The workers' metrics summed into one registry's JSON (counters and histograms add up). */
  metrics(): Promise<Array<MetricObjectWithValues<MetricValue<string>>>>;
  /** The same as Prometheus text, as any worker's `/metrics` serves it. */
  metricsText(): Promise<string>;
  /** Graceful stop of every worker (each drains as a single node does). */
  stop(): Promise<void>;
}

/** This process is one worker; the script that called `runNode` should do nothing more. */
export interface WorkerNode {
  role: 'worker';
  slot: number;
  mmsc: Mmsc;
  info: Record<string, unknown>;
  stop(): Promise<void>;
}

export type NodeHandle = SingleNode | PrimaryNode | WorkerNode;

/** `node.workers` as a number of processes (`auto`: one per core). */
export function workerCount(option: number | 'auto'): number {
  return option === 'auto' ? availableParallelism() : option;
}

/**
 * Runs a node: one MMSC in this process (`workers: 1`), or a primary that forks that many
 * workers with node:cluster. Every worker runs this same script, so the call must be made the
 * same way in all of them (the primary's config and plugins are the workers'). The config is
 * validated before anything is forked: a config error fails here, in the caller's process.
 */
export async function runNode(opts: RunNodeOptions = {}): Promise<NodeHandle> {
  const resolved = await resolveMmscConfig(opts);
  const slot = workerSlot();
  if (slot !== undefined) {
    const { mmsc, stop } = await runWorker(resolved, opts, slot, opts.describe);
    return { role: 'worker', slot, mmsc, info: opts.describe?.(mmsc) ?? {}, stop };
  }
  const config = resolved.kernel;
  const workers = workerCount(opts.workers ?? config.node.workers);
  if (workers === 1) {
    const mmsc = new Mmsc(resolved, mmscOptionsOf(opts));
    await mmsc.start();
    return { role: 'single', mmsc, info: opts.describe?.(mmsc) ?? {}, stop: () => mmsc.stop() };
  }
  const log = opts.logger ?? pino({ level: config.log.level, base: { node: config.node.id, role: 'primary' } });
  const queue = queueBackendFor(config.store, config.queue);
  // Jobs a killed node left claimed: given back before any worker claims (each worker later
  // gives back only its own slot's, after a restart).
  if (queue.type === 'sqlite') await releaseSqliteJobs(queue.path);
  const counters = config.store.type === 'sqlite' ? new MemoryCounters() : undefined;
  const supervisor = new Supervisor({ workers, log, counters, stopTimeoutMs: config.shutdown.graceMs + 10_000 });
  try {
    await supervisor.start();
  } catch (error) {
    await counters?.close();
    throw error;
  }
  log.info({ workers }, 'OpenMMSC node started');
  return {
    role: 'primary',
    workers,
    info: supervisor.info,
    pids: () => supervisor.pids(),
    restarts: () => supervisor.restarts,
    stats: () => supervisor.stats(),
    metrics: async () => AggregatorRegistry.aggregate((await supervisor.stats()).map((w) => w.metrics)).getMetricsAsJSON(),
    metricsText: () => supervisor.metricsText(),
    stop: async () => {
      await supervisor.stop();
      await counters?.close();
      log.info('OpenMMSC node stopped');
    },
  };
}
