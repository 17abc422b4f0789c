import { FINAL_STATES } from '../model/recipient-state.js';
import type { DeliverContext } from '../pipeline/context.js';
import { PermanentJobError, type RunningJob } from '../services/job-queue.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import type { RecipientLifecycle } from '../kernel/recipient-lifecycle.js';
import { recipientParts } from '../kernel/variants.js';
import { recipientHooksPass } from './recipient-hooks.js';
import { messageRef } from './job-data.js';
import { rerouteRecipient } from './reroute.js';
import { retryError } from './retry-error.js';

/** Hands a non-local recipient to the deliverer of its route target (MM4, MM3, MM7, …). */
export async function runDeliverJob(k: KernelContext, lifecycle: RecipientLifecycle, job: RunningJob, signal: AbortSignal): Promise<void> {
  if (job.data.phase === 'route') return rerouteRecipient(k, lifecycle, job, signal);
  const { messageId, index } = messageRef(job.data);
  const message = await k.store.get(messageId);
  const recipient = message && (await k.store.getRecipient(messageId, index));
  if (!message || !recipient || FINAL_STATES.has(recipient.state) || recipient.state === 'forwarded') return;

  const log = k.log.child({ job: job.id, messageId, recipient: index });
  const target = recipient.route?.target ?? 'unknown';
  const parts = await recipientParts(k, recipient, messageId, signal);
  const ctx: DeliverContext = { message, recipient, attempt: job.attempt, parts, log, signal };

  if (!(await recipientHooksPass(k, lifecycle, k.hooks.deliver, ctx, 'deliver', log))) return;

  const deliverer = k.services.named('Deliverer', target);
  if (!deliverer) {
    await lifecycle.transition(messageId, index, 'rejected', { by: 'kernel', reason: `no plugin delivers to route target "${target}"` });
    throw new PermanentJobError(`no deliverer for target ${target}`);
  }
  const result = await deliverer.deliver({ message, parts: ctx.parts, recipient, attempt: job.attempt, signal });
  const by = `deliverer:${target}`;
  switch (result.status) {
    case 'delivered':
      await lifecycle.transition(messageId, index, 'delivered', result.reference ? { by, attributes: { deliveryReference: result.reference } } : { by });
      return;
    case 'forwarded':
      await lifecycle.transition(messageId, index, 'forwarded', result.reference ? { by, attributes: { deliveryReference: result.reference } } : { by });
      return;
    case 'retry':
      throw retryError(`${target}: ${result.reason}`, result.retryAfterMs);
    case 'rejected':
      await lifecycle.transition(messageId, index, 'rejected', { by, reason: result.reason.message });
      return;
  }
}
