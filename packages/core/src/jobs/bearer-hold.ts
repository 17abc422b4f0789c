import type { Logger } from 'pino';
import { HoldJobError } from '../services/job-queue.js';
import type { StoredMessage } from '../services/message-store.js';
import type { KernelContext } from '../kernel/kernel-context.js';

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
