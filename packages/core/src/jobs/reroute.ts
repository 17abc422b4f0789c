import type { RunningJob } from '../services/job-queue.js';
import { FINAL_STATES } from '../model/recipient-state.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import type { RecipientLifecycle } from '../kernel/recipient-lifecycle.js';
import { runStages } from '../kernel/run-stages.js';
import { enqueueOnward } from '../kernel/submission.js';
import { storeVariants } from '../kernel/variants.js';
import { newWorkingSet, pendingRecipient } from '../kernel/working-set.js';
import { messageRef } from './job-data.js';
import { retryError } from './retry-error.js';

/** A recipient deferred during submission (e.g. a number-portability lookup failed) tries route → charge again. */
export async function rerouteRecipient(k: KernelContext, lifecycle: RecipientLifecycle, job: RunningJob, signal: AbortSignal): Promise<void> {
  const { messageId, index } = messageRef(job.data);
  const message = await k.store.get(messageId);
  const record = message && (await k.store.getRecipient(messageId, index));
  const parts = message && (await k.store.getParts(messageId));
  if (!message || !record || !parts || FINAL_STATES.has(record.state)) return;

  const pending = pendingRecipient(index, record.address, record.kind, { ...record.attributes }, []);
  const ws = newWorkingSet({
    id: messageId,
    message: { headers: message.headers, parts },
    origin: message.origin,
    receivedAt: message.receivedAt,
    expiresAt: message.expiresAt,
    size: message.size,
    attributes: message.attributes,
    active: [pending],
    acceptTargets: message.acceptTargets,
  });
  const outcome = await runStages(k, ws, ['route', 'transcode', 'charge'], signal);
  if (outcome.kind === 'reject' || ws.rejected.length) {
    const reason = outcome.kind === 'reject' ? outcome.reason : ws.rejected[0]!.reason;
    await lifecycle.transition(messageId, index, 'rejected', { by: 'kernel', reason: reason.message });
    return;
  }
  if (outcome.kind === 'defer') throw retryError(outcome.reason.message, outcome.retryAfterMs);
  const deferred = ws.deferred[0];
  if (deferred) throw retryError(deferred.reason.message, deferred.retryAfterMs);

  await k.store.updateRecipient(messageId, index, (current) => {
    const next = { ...current, state: 'charged' as const, history: [...current.history, ...pending.history], attributes: { ...current.attributes, ...pending.attributes } };
    delete next.attributes.deferredReason;
    if (pending.variant) next.attributes.variant = pending.variant;
    if (pending.route) next.route = pending.route;
    if (pending.charge) next.charge = pending.charge;
    return next;
  });
  await storeVariants(k, ws);
  await enqueueOnward(k, messageId, index, pending.route?.target);
}
