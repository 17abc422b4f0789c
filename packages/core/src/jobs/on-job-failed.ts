import { InvalidTransitionError } from '../model/recipient-state.js';
import type { RunningJob } from '../services/job-queue.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import type { RecipientLifecycle } from '../kernel/recipient-lifecycle.js';

/** A job that will not be tried again: what that means for the recipient. */
export async function onJobFailed(k: KernelContext, lifecycle: RecipientLifecycle, job: RunningJob, error: Error): Promise<void> {
  k.metrics.jobs.inc({ kind: job.kind, outcome: 'failed' });
  const log = k.log.child({ job: job.id, attempts: job.attempt });
  const { messageId, index } = job.data;
  if (job.kind === 'deliver' && typeof messageId === 'string' && typeof index === 'number') {
    log.warn({ err: error }, 'delivery failed for good');
    try {
      await lifecycle.transition(messageId, index, 'rejected', {
        by: 'kernel',
        reason: `delivery failed after ${job.attempt} attempts: ${error.message}`,
        report: 'unreachable',
      });
    } catch (e) {
      if (!(e instanceof InvalidTransitionError)) throw e;
    }
    return;
  }
  if (job.kind === 'notify') {
    // The handset may still fetch (a push can arrive late); expiry settles the recipient.
    log.warn({ err: error }, 'notification attempts used up; recipient waits for expiry');
    return;
  }
  log.error({ err: error }, `${job.kind} job failed for good`);
}
