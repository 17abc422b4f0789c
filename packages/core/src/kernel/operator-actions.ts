import { FINAL_STATES } from '../model/recipient-state.js';
import type { JsonObject } from '../services/job-queue.js';
import { jobIds } from './job-ids.js';
import { jobSpec } from './job-specs.js';
import type { KernelContext } from './kernel-context.js';
import type { RecipientLifecycle } from './recipient-lifecycle.js';

/** What an operator's retry did. */
export interface RetryOutcome {
  /** `notify` for a local recipient, `deliver` for the others. */
  job: 'notify' | 'deliver';
  /** False when the recipient is final (nothing to retry) or unknown. */
  queued: boolean;
  detail: string;
}

/**
 * Runs a recipient's pending notification or delivery now instead of after its back-off (an
 * operator fixed the cause). `renotify` pushes a fresh notification even after a successful one.
 * Either way the recipient's history records who asked.
 */
export async function retryRecipientNow(k: KernelContext, lifecycle: RecipientLifecycle, messageId: string, index: number, opts: { by: string; renotify: boolean }): Promise<RetryOutcome> {
  const recipient = await k.store.getRecipient(messageId, index);
  const job = recipient?.route?.target === 'local' || opts.renotify ? 'notify' : 'deliver';
  if (!recipient) return { job, queued: false, detail: 'no such recipient' };
  if (FINAL_STATES.has(recipient.state)) return { job, queued: false, detail: `the recipient is ${recipient.state} already` };
  if (opts.renotify && recipient.route?.target !== 'local') return { job, queued: false, detail: 'only local recipients are notified' };
  const id = job === 'notify' ? jobIds.notify(messageId, index) : jobIds.deliver(messageId, index);
  // A fresh notification takes an id of its own (the first may have run); a retry replaces the
  // pending job, whose back-off it skips. No further automatic re-notification follows it.
  const renotifyId = `${id}:operator:${k.clock.now()}`;
  if (!opts.renotify) await k.queue.cancel(id, job);
  const data: JsonObject = job === 'notify' ? { messageId, index, round: k.config.jobs.renotify.max } : { messageId, index };
  await k.queue.enqueue(jobSpec(k, job, opts.renotify ? renotifyId : id, data));
  await lifecycle.recordEvent(messageId, index, { by: opts.by, event: opts.renotify ? 'operator-renotify' : 'operator-retry', reason: `${job} queued now` });
  return { job, queued: true, detail: `${job} queued now` };
}
