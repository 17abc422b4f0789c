import { messageSize } from '../model/message.js';
import type { KeepInput } from '../runtime.js';
import type { StoredMessage } from '../services/message-store.js';
import { timeOrderedId } from '../util/ids.js';
import { jobIds, jobKindOf } from './job-ids.js';
import { jobSpec } from './job-specs.js';
import type { KernelContext } from './kernel-context.js';

/**
 * Stores a message that goes to nobody (an MMBox copy): no pipeline, no recipients, no
 * notification. It is read like any other (`getMessage`, `getParts`) and purged at its own
 * `expiresAt` by a durable job, independent of the expiry and retention of the message it was
 * copied from.
 */
export async function keepMessage(k: KernelContext, input: KeepInput): Promise<StoredMessage> {
  const now = k.clock.now();
  const id = timeOrderedId();
  const headers = { ...input.message.headers };
  headers.messageId ??= id;
  const message: StoredMessage = {
    id,
    headers,
    origin: input.origin,
    receivedAt: now,
    expiresAt: Math.max(now, input.expiresAt),
    size: messageSize(input.message),
    partCount: input.message.parts.length,
    recipientCount: 0,
    attributes: { ...(input.attributes ?? {}) },
  };
  // The purge is queued before the content is written: a crash in between leaves a job that
  // deletes nothing, never content that is kept for ever.
  await k.queue.enqueue(jobSpec(k, 'expire', jobIds.purge(id), { messageId: id, phase: 'purge' }, message.expiresAt));
  await k.store.save(message, input.message.parts, []);
  return message;
}

/** Deletes a kept message now, with its purge job; false when it is already gone. */
export async function discardMessage(k: KernelContext, id: string): Promise<boolean> {
  const message = await k.store.get(id);
  if (!message) return false;
  if (message.recipientCount > 0) throw new Error(`message ${id} has recipients: only messages stored with keep() can be discarded`);
  await k.queue.cancel(jobIds.purge(id), jobKindOf.purge);
  await k.store.delete(id);
  return true;
}
