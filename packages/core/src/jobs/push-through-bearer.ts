import type { Logger } from 'pino';
import type { NotifyContext } from '../pipeline/context.js';
import { HoldJobError, PermanentJobError } from '../services/job-queue.js';
import type { StoredMessage } from '../services/message-store.js';
import type { RecipientRecord } from '../model/recipient-state.js';
import type { NotificationInfo, PushBearer, PushRequest, PushResult } from '../services/push-bearer.js';
import type { KernelContext } from '../kernel/kernel-context.js';

/** What every notification of a message to a recipient says, whatever its kind. */
export function notificationOf(message: StoredMessage, recipient: RecipientRecord, kind: NotificationInfo['kind']): NotificationInfo {
  return { messageId: message.id, recipient: recipient.address, size: message.size, expiry: new Date(message.expiresAt), kind };
}

/** What the notify hooks built (a WAP Push, or a text), sent to the recipient through the configured push bearer. */
export async function pushBuilt(k: KernelContext, ctx: NotifyContext, signal: AbortSignal): Promise<{ bearer: PushBearer; result: PushResult }> {
  const bearer = k.services.single('PushBearer');
  if (!bearer) throw new PermanentJobError('no push bearer is configured (add a push plugin such as @openmmsc/plugin-push-smpp)');
  const request: PushRequest = { to: ctx.recipient.address, notification: ctx.notification };
  if (ctx.pdu) request.pdu = ctx.pdu;
  if (ctx.text !== undefined) request.text = ctx.text;
  return { bearer, result: await bearer.push(request, signal) };
}

/** What notify jobs waiting for the push bearer are held with; the bearer's `onAvailable` wakes them. */
export const NOTIFY_HOLD_KEY = 'push-bearer';

/**
 * The bearer cannot carry anything now: not this notification's failure. It waits (no attempt
 * used) until the bearer's estimate, or its wake-up, and never past the message's expiry, which
 * settles the recipient if the bearer never comes back.
 */
export function holdForBearer(k: KernelContext, message: StoredMessage, reason: string, retryAfterMs: number | undefined, log: Logger): void {
  const left = message.expiresAt - k.clock.now();
  if (left <= 0) {
    log.warn({ reason }, 'message expired while the push bearer was unavailable; expiry settles the recipient');
    return;
  }
  const wanted = retryAfterMs ?? k.config.jobs.notify.backoffBase;
  throw new HoldJobError(reason, { delayMs: Math.max(0, Math.min(left, wanted)), key: NOTIFY_HOLD_KEY });
}
