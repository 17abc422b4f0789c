import { RetryLaterError } from '../services/job-queue.js';

/** A retry with the plugin's delay when it gave one, else the job kind's back-off. */
export function retryError(reason: string, afterMs: number | undefined): Error {
  return afterMs === undefined ? new Error(reason) : new RetryLaterError(reason, afterMs);
}
