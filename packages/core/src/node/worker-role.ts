import type { Counters } from '../counters/counters.js';

/** What the kernel of one worker process of a multi-worker node needs to know about it. */
export interface WorkerRole {
  /** 1..N; a worker restarted in a slot keeps its number (and takes over its jobs). */
  slot: number;
  /** Counters held by the primary, so per-sender limits count across the node's workers. */
  counters?: Counters;
  /** The whole node's metrics (every worker's, summed by the primary): what `/metrics` serves. */
  nodeMetrics?: () => Promise<string>;
}

/** The name a worker's claims carry in a shared SQLite queue. */
export const workerOwner = (slot: number): string => `worker-${slot}`;
