import cluster from 'node:cluster';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { mmscOptionsOf, type CreateMmscOptions } from '../create-mmsc.js';
import { Mmsc } from '../mmsc.js';
import { IpcCounters, type CountersRequest } from './ipc-counters.js';
import { IpcNodeMetrics, type NodeMetricsRequest } from './node-metrics.js';
import { WORKER_SLOT_ENV, type FromWorker, type ToWorker } from './messages.js';

/** The slot this process serves when it is a worker forked by a node's primary, else undefined. */
export function workerSlot(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const slot = Number(process.env[WORKER_SLOT_ENV]);
  return Number.isInteger(slot) && slot >= 1 ? slot : undefined;
}

const send = (message: FromWorker | CountersRequest | NodeMetricsRequest): void => {
  if (process.connected) process.send!(message);
};

/**
 * Runs the MMSC of one worker: its own kernel, plugins and listeners (ports shared through the
 * primary), the node's store opened as shared, counters kept by the primary on the embedded
 * store. It stops gracefully when the primary asks, on SIGTERM/SIGINT, or when the primary is
 * gone, and then exits.
 */
export async function runWorker(
  resolved: ResolvedConfig,
  opts: CreateMmscOptions,
  slot: number,
  describe: ((mmsc: Mmsc) => Record<string, unknown>) | undefined,
): Promise<{ mmsc: Mmsc; stop(): Promise<void> }> {
  const counters = resolved.kernel.store.type === 'sqlite' ? new IpcCounters(send) : undefined;
  const nodeMetrics = new IpcNodeMetrics(send);
  const onMessage = (message: unknown) => void (counters?.receive(message) || nodeMetrics.receive(message));
  process.on('message', onMessage);
  const role = { slot, nodeMetrics: () => nodeMetrics.text(), ...(counters ? { counters } : {}) };
  const mmsc = new Mmsc(resolved, { ...mmscOptionsOf(opts), worker: role });
  try {
    await mmsc.start();
  } catch (error) {
    send({ openmmsc: 'failed', slot, message: (error as Error).message });
    process.exitCode = 1;
    process.disconnect?.();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= mmsc
      .stop()
      .catch((error: unknown) => mmsc.log.error({ err: error }, 'worker stop failed'))
      .finally(() => process.exit(0));
    return stopping;
  };
  const cpuAtReady = process.cpuUsage();
  const loopAtReady = performance.eventLoopUtilization();
  process.on('message', (message: ToWorker) => {
    if (message?.openmmsc === 'stop') void stop();
    else if (message?.openmmsc === 'stats') {
      void mmsc.registry.getMetricsAsJSON().then((metrics) => {
        const cpu = process.cpuUsage(cpuAtReady);
        send({ openmmsc: 'stats-reply', id: message.id, stats: { slot, pid: process.pid, metrics, cpuUs: cpu.user + cpu.system, loopUs: performance.eventLoopUtilization(loopAtReady).active * 1000, maxRssKb: process.resourceUsage().maxRSS } });
      });
    }
  });
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  // The primary died (kill -9): stop cleanly instead of serving on without a supervisor.
  process.once('disconnect', () => void stop());
  send({ openmmsc: 'ready', slot, pid: process.pid, info: describe?.(mmsc) ?? {} });
  return { mmsc, stop };
}
