import { addressKey } from '../model/address.js';
import type { RecipientKind } from '../model/message.js';
import type { RecipientRecord, RecipientState } from '../model/recipient-state.js';
import type { PendingRecipient } from '../pipeline/context.js';
import { SUBMISSION_STAGES } from '../pipeline/stages.js';
import type { Reason } from '../pipeline/verdict.js';
import type { RecipientOutcome, SubmitInput, SubmitResult } from '../runtime.js';
import type { StoredMessage } from '../services/message-store.js';
import { allDone } from '../util/all-done.js';
import { timeOrderedId } from '../util/ids.js';
import { jobIds } from './job-ids.js';
import { jobSpec } from './job-specs.js';
import type { KernelContext } from './kernel-context.js';
import type { RecipientLifecycle } from './recipient-lifecycle.js';
import { runStages } from './run-stages.js';
import { storeVariants } from './variants.js';
import { newWorkingSet, pendingRecipient, storedMessage, type WorkingSet } from './working-set.js';

const NEVER_ABORTED = new AbortController().signal;

/** receive → route → transcode → charge → store, then the durable jobs that follow. */
export async function submit(k: KernelContext, lifecycle: RecipientLifecycle, input: SubmitInput): Promise<SubmitResult> {
  const ws = createWorkingSet(k, input);
  const signal = input.signal ?? NEVER_ABORTED;
  const outcome = await runStages(k, ws, SUBMISSION_STAGES, signal);
  let result: SubmitResult;
  let stored: StoredMessage | undefined;
  if (outcome.kind === 'reject') {
    result = { status: 'rejected', messageId: ws.id, reason: outcome.reason, recipients: allRecipients(ws, outcome.reason, outcome.kind) };
  } else if (outcome.kind === 'defer') {
    result = { status: 'deferred', messageId: ws.id, reason: outcome.reason, recipients: allRecipients(ws, outcome.reason, outcome.kind) };
    if (outcome.retryAfterMs !== undefined) result.retryAfterMs = outcome.retryAfterMs;
  } else if (ws.active.length === 0 && ws.deferred.length === 0) {
    const reason = ws.rejected[0]?.reason ?? { code: 'address-unresolved', message: 'no recipient accepted' };
    result = { status: 'rejected', messageId: ws.id, reason, recipients: outcomes(ws) };
  } else {
    try {
      stored = await persist(k, ws);
      result = { status: 'accepted', messageId: ws.id, recipients: outcomes(ws) };
    } catch (error) {
      k.log.error({ err: error, messageId: ws.id }, 'storing the message failed; submission deferred');
      await k.store.delete(ws.id).catch(() => undefined);
      const reason: Reason = { code: 'internal-error', message: 'temporary failure storing the message' };
      result = { status: 'deferred', messageId: ws.id, reason, recipients: allRecipients(ws, reason, 'defer') };
    }
  }
  if (result.status !== 'accepted') await releaseCharges(k, ws, result.reason);
  k.metrics.submissions.inc({ interface: input.origin.interface, status: result.status });
  if (stored) await lifecycle.recordCharging('submission', stored);
  return result;
}

function createWorkingSet(k: KernelContext, input: SubmitInput): WorkingSet {
  const now = k.clock.now();
  const headers = input.message.headers;
  const id = headers.messageId ?? timeOrderedId();
  headers.messageId = id;
  headers.date ??= new Date(now);
  const { default: defaultExpiry, max } = k.config.expiry;
  const asked = headers.expiry ? headers.expiry.getTime() : now + defaultExpiry;
  const expiresAt = Math.max(now, Math.min(asked, now + max));

  const active: PendingRecipient[] = [];
  const seen = new Set<string>();
  const add = (kind: RecipientKind) => (address: (typeof headers.to)[number]) => {
    const key = addressKey(address);
    if (seen.has(key)) return;
    seen.add(key);
    active.push(pendingRecipient(active.length, address, kind, {}, [{ state: 'received', at: now, by: input.origin.interface }]));
  };
  headers.to.forEach(add('to'));
  headers.cc.forEach(add('cc'));
  headers.bcc.forEach(add('bcc'));
  return newWorkingSet({ id, message: input.message, origin: input.origin, receivedAt: now, expiresAt, size: 0, attributes: {}, active, acceptTargets: input.acceptTargets });
}

export function toRecord(recipient: PendingRecipient, state: RecipientState): RecipientRecord {
  const record: RecipientRecord = {
    index: recipient.index,
    address: recipient.address,
    kind: recipient.kind,
    state,
    history: recipient.history,
    attributes: recipient.variant ? { ...recipient.attributes, variant: recipient.variant } : recipient.attributes,
  };
  if (recipient.route) record.route = recipient.route;
  if (recipient.charge) record.charge = recipient.charge;
  return record;
}

/** The state a deferred recipient rests in: where its history got to before the deferral. */
export function restingState(recipient: PendingRecipient): RecipientState {
  const last = recipient.history[recipient.history.length - 1]?.state;
  return last === 'routed' ? 'routed' : 'received';
}

async function persist(k: KernelContext, ws: WorkingSet): Promise<StoredMessage> {
  const records: RecipientRecord[] = [
    ...ws.active.map((r) => toRecord(r, 'charged')),
    ...ws.rejected.map(({ recipient }) => toRecord(recipient, 'rejected')),
    ...ws.deferred.map(({ recipient, reason }) => {
      const record = toRecord(recipient, restingState(recipient));
      record.attributes = { ...record.attributes, deferredReason: reason.message };
      return record;
    }),
  ].sort((a, b) => a.index - b.index);
  // Everything the submission stages recorded happened on this node.
  for (const r of records) r.history = r.history.map((h) => (h.node ? h : { ...h, node: k.config.node.id }));
  const message = storedMessage(ws, records.length);
  if (ws.acceptTargets) message.acceptTargets = ws.acceptTargets;
  await k.store.save(message, ws.message.parts, records);
  await storeVariants(k, ws);

  const startAt = ws.message.headers.deliveryTime?.getTime();
  // The message's jobs are independent of each other: enqueued together they share one commit
  // (one round trip to a queue server) in the sender's wait, not one each in turn.
  await allDone([
    ...ws.active.map((r) => enqueueOnward(k, ws.id, r.index, r.route?.target, startAt)),
    ...ws.deferred.map(({ recipient, retryAfterMs }) => {
      const delay = retryAfterMs ?? k.config.jobs.deliver.backoffBase;
      return k.queue.enqueue(jobSpec(k, 'deliver', jobIds.reroute(ws.id, recipient.index), { messageId: ws.id, index: recipient.index, phase: 'route' }, k.clock.now() + delay));
    }),
    k.queue.enqueue(jobSpec(k, 'expire', jobIds.expire(ws.id), { messageId: ws.id, phase: 'expire' }, ws.expiresAt)),
  ]);
  return message;
}

/** After the charge stage: local recipients are notified, the others delivered by their target's plugin. */
export async function enqueueOnward(k: KernelContext, messageId: string, index: number, target: string | undefined, runAt?: number): Promise<void> {
  if (target === 'local') {
    await k.queue.enqueue(jobSpec(k, 'notify', jobIds.notify(messageId, index), { messageId, index }, runAt));
  } else {
    await k.queue.enqueue(jobSpec(k, 'deliver', jobIds.deliver(messageId, index), { messageId, index }, runAt));
  }
}

function outcomes(ws: WorkingSet): RecipientOutcome[] {
  const list: Array<RecipientOutcome & { index: number }> = [
    ...ws.active.map((r) => ({ index: r.index, address: r.address, status: 'accepted' as const })),
    ...ws.rejected.map(({ recipient, reason }) => ({ index: recipient.index, address: recipient.address, status: 'rejected' as const, reason })),
    ...ws.deferred.map(({ recipient, reason }) => ({ index: recipient.index, address: recipient.address, status: 'deferred' as const, reason })),
  ];
  return list.sort((a, b) => a.index - b.index).map(({ index: _index, ...o }) => o as RecipientOutcome);
}

function allRecipients(ws: WorkingSet, reason: Reason, kind: 'reject' | 'defer'): RecipientOutcome[] {
  const status = kind === 'reject' ? ('rejected' as const) : ('deferred' as const);
  const rejected = new Map(ws.rejected.map((r) => [r.recipient.index, r.reason]));
  const everyone = [...ws.active, ...ws.rejected.map((r) => r.recipient), ...ws.deferred.map((r) => r.recipient)].sort((a, b) => a.index - b.index);
  return everyone.map((r) => {
    const own = rejected.get(r.index);
    return own ? { address: r.address, status: 'rejected' as const, reason: own } : { address: r.address, status, reason };
  });
}

/** Backends that reserved or debited for a submission that then failed get to undo it. */
async function releaseCharges(k: KernelContext, ws: WorkingSet, reason: Reason): Promise<void> {
  for (const { backend, request } of ws.authorized) {
    try {
      await backend.release!(request, reason);
    } catch (error) {
      k.log.error({ err: error, backend: backend.name, messageId: ws.id }, 'charging backend failed to release a refused submission');
    }
  }
}
