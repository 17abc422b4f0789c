import { HoldJobError, isJobError, type JobHandler, type JobKind } from '../services/job-queue.js';
import type { KernelMetrics } from './kernel-metrics.js';

/** A handler whose attempts count in `openmmsc_jobs_total{kind,outcome}` (done, held, retry). */
export function countedJob(metrics: KernelMetrics, kind: JobKind, handler: JobHandler): JobHandler {
  return async (job, signal) => {
    try {
      await handler(job, signal);
      metrics.jobs.inc({ kind, outcome: 'done' });
    } catch (error) {
      metrics.jobs.inc({ kind, outcome: isJobError(error, HoldJobError) ? 'held' : 'retry' });
      throw error;
    }
  };
}
