import { FINAL_STATES } from '../model/recipient-state.js';
import type { RunningJob } from '../services/job-queue.js';
import { jobIds } from '../kernel/job-ids.js';
import { jobSpec } from '../kernel/job-specs.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import type { RecipientLifecycle } from '../kernel/recipient-lifecycle.js';
import { allDone } from '../util/all-done.js';

/** At expiry, every recipient not yet final expires (with its report); after retention the message goes. */
export async function runExpireJob(k: KernelContext, lifecycle: RecipientLifecycle, job: RunningJob): Promise<void> {
  const messageId = job.data.messageId;
  if (typeof messageId !== 'string') throw new Error('expire job lacks messageId');
  if (job.data.phase === 'purge') {
    await k.store.delete(messageId);
    return;
  }
  const message = await k.store.get(messageId);
  if (!message) return;
  if (message.expiresAt > k.clock.now()) {
    // Replaced messages may have moved their expiry later.
    await k.queue.enqueue(jobSpec(k, 'expire', `${jobIds.expire(messageId)}:${message.expiresAt}`, { messageId, phase: 'expire' }, message.expiresAt));
    return;
  }
  // Recipients side by side: their moves and reports share commits, however many there are.
  const pending = (await k.store.getRecipients(messageId)).filter((r) => !FINAL_STATES.has(r.state));
  await allDone(
    pending.map((recipient) => {
      // A forwarded recipient's outcome belongs to the next hop (peer MMSC, or the recipient who
      // forwarded it): the sender already had the Forwarded report, so no Expired one follows.
      const report = recipient.state === 'forwarded' ? false : undefined;
      return lifecycle.transition(messageId, recipient.index, 'expired', report === false ? { by: 'kernel', reason: 'message expired', report } : { by: 'kernel', reason: 'message expired' });
    }),
  );
  await k.queue.enqueue(
    jobSpec(k, 'expire', jobIds.purge(messageId), { messageId, phase: 'purge' }, k.clock.now() + k.config.expiry.retention),
  );
}
