import type { NotifyContext } from '../pipeline/context.js';
import type { Reason } from '../pipeline/verdict.js';
import type { RunningJob } from '../services/job-queue.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import type { RecipientLifecycle } from '../kernel/recipient-lifecycle.js';
import { recipientHooksPass } from './recipient-hooks.js';
import { messageRef } from './job-data.js';
import { holdForBearer, notificationOf, pushBuilt } from './push-through-bearer.js';
import { retryError as retry } from './retry-error.js';

/** What a notify job carries when it withdraws a notification instead of sending one. */
export const CANCEL_PUSH = 'cancel';

/**
 * The recipient attribute a cancel sets (`true`): a notification still on its way when the
 * recipient was cancelled is followed by a cancel once it lands (the notify job).
 */
export const CANCELLED = 'cancelled';

/**
 * Tells a handset that a message it was notified of and has not fetched is withdrawn (MM7
 * CancelReq, `mmsc.cancel`). The recipient is already rejected; this job only carries the word:
 * notify hooks build what the handset understands (MM1: an m-cancel-req in a WAP Push, with
 * `notification.kind === 'cancel'`), the push bearer sends it, and the outcome goes into the
 * recipient's history (`cancel-sent`, `cancel-failed`). When no hook builds anything (no
 * interface speaks cancel to this handset), nothing is sent and nothing recorded.
 */
export async function runCancelPush(k: KernelContext, lifecycle: RecipientLifecycle, job: RunningJob, signal: AbortSignal): Promise<void> {
  const { messageId, index } = messageRef(job.data);
  const message = await k.store.get(messageId);
  const recipient = message && (await k.store.getRecipient(messageId, index));
  if (!message || !recipient) return; // purged meanwhile: nothing left to withdraw

  const log = k.log.child({ job: job.id, messageId, recipient: index });
  const notification = notificationOf(message, recipient, 'cancel');
  const ctx: NotifyContext = { message, recipient, attempt: job.attempt, notification, log, signal };
  const withdrawFailed = (reason: Reason) => lifecycle.recordEvent(messageId, index, { by: 'kernel', event: 'cancel-failed', reason: reason.message });
  if (!(await recipientHooksPass(k, lifecycle, k.hooks.notify, ctx, 'notify', log, withdrawFailed))) return;
  if (!ctx.pdu && ctx.text === undefined) {
    log.debug('no notify hook built a cancel for this handset; nothing to push');
    return;
  }

  const { bearer, result } = await pushBuilt(k, ctx, signal);
  if (result.status === 'sent') {
    const reason = result.reference ? `pushed (reference ${result.reference})` : 'pushed';
    await lifecycle.recordEvent(messageId, index, { by: bearer.name, event: 'cancel-sent', reason });
    return;
  }
  if (result.status === 'retry') throw retry(`${bearer.name}: ${result.reason}`, result.retryAfterMs);
  if (result.status === 'unavailable') return holdForBearer(k, message, `${bearer.name}: ${result.reason}`, result.retryAfterMs, log);
  await lifecycle.recordEvent(messageId, index, { by: bearer.name, event: 'cancel-failed', reason: result.reason });
}
