import { FINAL_STATES } from '../model/recipient-state.js';
import type { MmsHeaders, MmsPart } from '../model/message.js';
import { messageSize } from '../model/message.js';
import type { CancelOutcome, ReplaceChanges } from '../runtime.js';
import { CANCEL_PUSH, CANCELLED } from '../jobs/cancel-push-job.js';
import { allDone } from '../util/all-done.js';
import { jobIds, jobKindOf } from './job-ids.js';
import { jobSpec } from './job-specs.js';
import type { KernelContext } from './kernel-context.js';
import type { RecipientLifecycle } from './recipient-lifecycle.js';
import { enqueueOnward } from './submission.js';

export class MessageChangeError extends Error {
  readonly code: 'not-found' | 'already-delivered' | 'already-final';
  constructor(code: MessageChangeError['code'], message: string) {
    super(message);
    this.name = 'MessageChangeError';
    this.code = code;
  }
}

/** Cancels delivery to every recipient not yet final (MM7 CancelReq, m-cancel-req). */
export async function cancelMessage(
  k: KernelContext,
  lifecycle: RecipientLifecycle,
  messageId: string,
  opts: { by: string; reason?: string },
): Promise<CancelOutcome> {
  const message = await k.store.get(messageId);
  if (!message) throw new MessageChangeError('not-found', `message ${messageId} not found`);
  const outcome: CancelOutcome = { cancelled: 0, alreadyFinal: 0, delivered: 0 };
  // Recipients side by side: a campaign's cancel costs a few commits, not a few per recipient.
  await allDone(
    (await k.store.getRecipients(messageId)).map(async (r) => {
      if (FINAL_STATES.has(r.state)) {
        outcome.alreadyFinal += 1;
        if (r.state === 'delivered') outcome.delivered += 1;
        return;
      }
      // Marked as a cancel: a notification still on its way is followed by a cancel (notify job).
      await lifecycle.transition(messageId, r.index, 'rejected', { by: opts.by, reason: opts.reason ?? 'cancelled by the sender', report: false, attributes: { [CANCELLED]: true } });
      outcome.cancelled += 1;
      // A handset told of the message and yet to fetch it is told it is gone (a durable job).
      if (r.state === 'notified') {
        await k.queue.enqueue(jobSpec(k, 'notify', jobIds.cancelPush(messageId, r.index), { messageId, index: r.index, push: CANCEL_PUSH }));
      }
    }),
  );
  return outcome;
}

const RETRIEVED_OR_LATER = new Set(['retrieved', 'forwarded', 'delivered']);

/**
 * Replaces content and/or headers of a message no recipient has fetched yet (MM7 ReplaceReq).
 * Adapted variants are dropped; pending notifications are re-queued for a new delivery time, and
 * handsets already notified are notified again with a notification that replaces the first.
 */
export async function replaceMessage(k: KernelContext, messageId: string, changes: ReplaceChanges): Promise<void> {
  const message = await k.store.get(messageId);
  if (!message) throw new MessageChangeError('not-found', `message ${messageId} not found`);
  const recipients = await k.store.getRecipients(messageId);
  if (recipients.some((r) => RETRIEVED_OR_LATER.has(r.state))) {
    throw new MessageChangeError('already-delivered', `message ${messageId} has already been retrieved or delivered`);
  }
  if (recipients.every((r) => FINAL_STATES.has(r.state))) {
    throw new MessageChangeError('already-final', `message ${messageId} is no longer pending`);
  }
  const headers: MmsHeaders = { ...message.headers, ...(changes.headers ?? {}) };
  const updated = { ...message, headers };
  if (changes.parts) {
    await k.store.replaceParts(messageId, changes.parts);
    updated.size = messageSize({ headers, parts: changes.parts as MmsPart[] });
    updated.partCount = changes.parts.length;
  }
  if (changes.headers?.expiry) {
    const now = k.clock.now();
    updated.expiresAt = Math.max(now, Math.min(changes.headers.expiry.getTime(), message.receivedAt + k.config.expiry.max));
  }
  await k.store.update(updated);
  // A handset already told of the old version is told again, the new notification naming the
  // one it replaces (MM1: X-Mms-Replace-ID), so it shows the new subject and size.
  // Recipients side by side: their jobs share a commit (a round trip), whatever their number.
  await allDone(
    recipients
      .filter((r) => r.state === 'notified')
      .map((r) => k.queue.enqueue(jobSpec(k, 'notify', `${jobIds.notify(messageId, r.index)}:replaced:${k.clock.now()}`, { messageId, index: r.index, replaces: messageId }))),
  );
  if (changes.headers?.deliveryTime) {
    const runAt = changes.headers.deliveryTime.getTime();
    await allDone(
      recipients
        .filter((r) => r.state === 'charged')
        .map(async (r) => {
          // The job ids stay: cancelled first, or enqueueing them again would find them there.
          await allDone([
            k.queue.cancel(jobIds.notify(messageId, r.index), jobKindOf.notify),
            k.queue.cancel(jobIds.deliver(messageId, r.index), jobKindOf.deliver),
          ]);
          await enqueueOnward(k, messageId, r.index, r.route?.target, runAt);
        }),
    );
  }
}
