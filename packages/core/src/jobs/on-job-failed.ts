import { FINAL_STATES, InvalidTransitionError } from '../model/recipient-state.js';
import type { RunningJob } from '../services/job-queue.js';
import { jobSpec } from '../kernel/job-specs.js';
import { CANCEL_PUSH } from './cancel-push-job.js';
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
  if (job.kind === 'notify' && job.data.push === CANCEL_PUSH && typeof messageId === 'string' && typeof index === 'number') {
    log.warn({ err: error }, 'the cancel could not be pushed to the handset');
    if (await k.store.getRecipient(messageId, index)) {
      await lifecycle.recordEvent(messageId, index, { by: 'kernel', event: 'cancel-failed', reason: `not pushed after ${job.attempt} attempts: ${error.message}` });
    }
    return;
  }
  if (job.kind === 'notify' && typeof messageId === 'string' && typeof index === 'number') {
    await notifyAgainLater(k, job, messageId, index, error, log);
    return;
  }
  log.error({ err: error }, `${job.kind} job failed for good`);
}

/**
 * A recipient is never left un-notified without a run scheduled: once a notify job's attempts are
 * used up by real failures, it starts over after `backoffMax`, until the message expires (the
 * expire job then settles the recipient). Waiting for the bearer uses no attempts at all.
 */
async function notifyAgainLater(k: KernelContext, job: RunningJob, messageId: string, index: number, error: Error, log: KernelContext['log']): Promise<void> {
  const message = await k.store.get(messageId);
  const recipient = message && (await k.store.getRecipient(messageId, index));
  if (!message || !recipient) return;
  if (FINAL_STATES.has(recipient.state) || recipient.state === 'notified' || recipient.state === 'retrieved') {
    log.warn({ err: error }, 'notification attempts used up');
    return;
  }
  const at = k.clock.now() + k.config.jobs.notify.backoffMax;
  if (at >= message.expiresAt) {
    // The handset may still fetch (a push can arrive late); the expire job settles the recipient.
    log.warn({ err: error, expiresAt: new Date(message.expiresAt).toISOString() }, 'notification attempts used up; recipient waits for expiry');
    return;
  }
  await k.queue.enqueue(jobSpec(k, 'notify', job.id, job.data, at));
  log.warn({ err: error, retryAt: new Date(at).toISOString() }, 'notification attempts used up; starting over later');
}
