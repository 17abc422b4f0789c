import { FINAL_STATES, type RecipientEvent, type RecipientRecord } from '../model/recipient-state.js';
import type { NotifyContext } from '../pipeline/context.js';
import type { RunningJob } from '../services/job-queue.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import type { RecipientLifecycle } from '../kernel/recipient-lifecycle.js';
import { recipientHooksPass } from './recipient-hooks.js';
import { messageRef } from './job-data.js';
import { retryError as retry } from './retry-error.js';
import { jobIds } from '../kernel/job-ids.js';
import { jobSpec } from '../kernel/job-specs.js';
import { CANCEL_PUSH, CANCELLED, runCancelPush } from './cancel-push-job.js';
import { NOTIFY_HOLD_KEY, holdForBearer, notificationOf, pushBuilt } from './push-through-bearer.js';

/** Tells a local recipient a message waits: notify hooks (MM1 builds the PDU), then the push bearer. */
export async function runNotifyJob(k: KernelContext, lifecycle: RecipientLifecycle, job: RunningJob, signal: AbortSignal): Promise<void> {
  if (job.data.push === CANCEL_PUSH) return runCancelPush(k, lifecycle, job, signal);
  const { messageId, index } = messageRef(job.data);
  const message = await k.store.get(messageId);
  const recipient = message && (await k.store.getRecipient(messageId, index));
  if (!message || !recipient) return; // purged or cancelled meanwhile
  if (FINAL_STATES.has(recipient.state) || recipient.state === 'retrieved') return;

  const log = k.log.child({ job: job.id, messageId, recipient: index });
  const notification = notificationOf(message, recipient, 'message');
  if (message.headers.senderVisibility !== 'hide') notification.from = message.headers.from;
  if (message.headers.subject) notification.subject = message.headers.subject;
  if (message.headers.messageClass) notification.messageClass = message.headers.messageClass;
  if (typeof job.data.replaces === 'string') notification.replaces = job.data.replaces;
  const ctx: NotifyContext = { message, recipient, attempt: job.attempt, notification, log, signal };

  if (!(await recipientHooksPass(k, lifecycle, k.hooks.notify, ctx, 'notify', log))) return;

  const { bearer, result } = await pushBuilt(k, ctx, signal);
  if (result.status === 'sent') {
    const attributes = result.reference ? { pushReference: result.reference } : undefined;
    const reason = result.reference ? `pushed; bearer reference ${result.reference}` : undefined;
    // The recipient may have moved on while the push was under way: the handset fetched, or the
    // message was cancelled or expired. The push still happened; its bearer's answer then stays
    // in the history.
    const late = (current: RecipientRecord): RecipientEvent => ({ by: bearer.name, event: 'pushed', reason: `${reason ?? 'pushed'}; ${movedOn(current)}`, ...(attributes && { attributes }) });
    const moved = await lifecycle.transitionOrRecord(messageId, index, 'notified', { by: bearer.name, ...(attributes && { attributes }), ...(reason && { reason }) }, late);
    if (!moved) return tellOfCancel(k, messageId, index);
    await scheduleRenotify(k, messageId, index, job);
    return;
  }
  if (result.status === 'retry') {
    // The bearer's answer (an SMSC's error status) stays in the recipient's history.
    await lifecycle.recordEvent(messageId, index, { by: bearer.name, event: 'push-failed', reason: result.reason }).catch(() => undefined);
    throw retry(`${bearer.name}: ${result.reason}`, result.retryAfterMs);
  }
  if (result.status === 'unavailable') return holdForBearer(k, message, `${bearer.name}: ${result.reason}`, result.retryAfterMs, log);
  await lifecycle.transition(messageId, index, 'rejected', { by: bearer.name, reason: result.reason, report: 'unreachable' });
}

/** Held notifications run as soon as the push bearer says it can take them; returns the unsubscribe. */
export function wakeHeldNotifications(k: KernelContext): () => void {
  const bearer = k.services.single('PushBearer');
  if (!bearer?.onAvailable) return () => {};
  return bearer.onAvailable(() => {
    k.queue.wake(NOTIFY_HOLD_KEY).then(
      (n) => n > 0 && k.log.info({ bearer: bearer.name, woken: n }, 'push bearer available again: held notifications resume'),
      (error: unknown) => k.log.warn({ err: error }, 'could not wake held notifications (they resume when their hold ends)'),
    );
  });
}

/**
 * A notification that landed after its recipient was cancelled (rejected while the push was under
 * way: the cancel found it not yet notified, so it sent no cancel): the handset has just been
 * told of a message that is gone, and is told that too, as a cancel of a notified one is.
 */
async function tellOfCancel(k: KernelContext, messageId: string, index: number): Promise<void> {
  const recipient = await k.store.getRecipient(messageId, index);
  if (recipient?.attributes[CANCELLED] !== true) return;
  await k.queue.enqueue(jobSpec(k, 'notify', jobIds.cancelPush(messageId, index), { messageId, index, push: CANCEL_PUSH }));
}

/** Where a push that landed late found its recipient, for the history. */
function movedOn(current: RecipientRecord): string {
  if (current.attributes[CANCELLED] === true) return 'the message had been cancelled';
  if (current.state === 'expired') return 'the message had expired';
  if (current.state === 'rejected') return 'the handset had answered already';
  return 'the handset had fetched already';
}

/** Handsets miss pushes: notify again later unless the message was fetched meanwhile. */
async function scheduleRenotify(k: KernelContext, messageId: string, index: number, job: RunningJob): Promise<void> {
  const { after, max } = k.config.jobs.renotify;
  const round = typeof job.data.round === 'number' ? job.data.round : 0;
  if (after <= 0 || round >= max) return;
  const next = round + 1;
  await k.queue.enqueue(
    jobSpec(k, 'notify', `${jobIds.notify(messageId, index)}:r${next}`, { messageId, index, round: next }, k.clock.now() + after),
  );
}
