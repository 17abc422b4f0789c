import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** What one worker reports about itself (`stats()` of the primary's handle). */
export interface WorkerStats {
  slot: number;
  pid: number;
  /** The worker's metrics registry (prom-client JSON); the primary may aggregate them. */
  metrics: Array<MetricObjectWithValues<MetricValue<string>>>;
  /** CPU time since the worker was ready (µs, user + system). */
  cpuUs: number;
  /** Time its event loop was busy since it was ready (µs): its CPU less what its threads did. */
  loopUs: number;
  maxRssKb: number;
}

/** Messages between the primary and its workers; `openmmsc` tells them from an embedder's own. */
export type ToWorker = { openmmsc: 'stop' } | { openmmsc: 'stats'; id: number } | { openmmsc: 'node-metrics-reply'; id: number; body?: string; error?: string };
export type FromWorker =
  | { openmmsc: 'ready'; slot: number; pid: number; info: Record<string, unknown> }
  | { openmmsc: 'failed'; slot: number; message: string }
  | { openmmsc: 'stats-reply'; id: number; stats: WorkerStats }
  | { openmmsc: 'node-metrics'; id: number };

/** The environment variable that makes a cluster worker run as the node worker of that slot. */
export const WORKER_SLOT_ENV = 'OPENMMSC_WORKER_SLOT';

export function isFromWorker(message: unknown): message is FromWorker {
  const m = message as { openmmsc?: unknown } | null;
  return typeof m?.openmmsc === 'string' && ['ready', 'failed', 'stats-reply', 'counters', 'node-metrics'].includes(m.openmmsc);
}
