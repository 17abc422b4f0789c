import type { JobQueue } from '../services/job-queue.js';

export type QueueConfig = { type: 'sqlite'; path: string } | { type: 'redis'; url: string; prefix?: string };

export interface QueueHooks {
  /** Failures of the queue machinery itself (lost connection, write error), not of jobs. */
  onError?: (error: unknown) => void;
}

/** Builds the configured queue; BullMQ (and Redis code) is loaded only when Redis is configured. */
export async function createJobQueue(config: QueueConfig, hooks: QueueHooks = {}): Promise<JobQueue> {
  if (config.type === 'sqlite') {
    const { SqliteJobQueue } = await import('./sqlite-job-queue.js');
    return SqliteJobQueue.open(config.path, hooks.onError ? { onError: hooks.onError } : {});
  }
  const { BullmqJobQueue } = await import('./bullmq-job-queue.js');
  const queue = new BullmqJobQueue({ url: config.url, prefix: config.prefix ?? 'openmmsc', ...hooks });
  await queue.ping();
  return queue;
}
