import type { MmsPart } from '../model/message.js';
import type { RecipientRecord } from '../model/recipient-state.js';
import { allDone } from '../util/all-done.js';
import type { KernelContext } from './kernel-context.js';
import type { WorkingSet } from './working-set.js';

/**
 * After a working set is stored (a submission, a rerouted recipient): the variants adapted while
 * the sender waited are saved, and a deferred transcoder is handed the classes it adapts for now.
 */
export async function storeVariants(k: KernelContext, ws: WorkingSet): Promise<void> {
  // Each variant is its own record: saved together they share a commit (a round trip).
  await allDone([...ws.variants].map(([variant, parts]) => k.store.saveVariant(ws.id, variant, parts)));
  const transcoder = k.services.single('Transcoder');
  if (ws.adaptLater.size === 0 || !transcoder?.adaptLater) return;
  try {
    await transcoder.adaptLater({ messageId: ws.id, capabilities: [...ws.adaptLater.values()] });
  } catch (error) {
    // Stored and answered all the same: the variant is made when a delivery or a fetch asks for it.
    k.log.warn({ err: error, messageId: ws.id, transcoder: transcoder.name }, 'scheduling adaptation failed; variants will be made on demand');
  }
}

/**
 * The parts a recipient gets: its class's variant (an empty one: the originals suit the class),
 * made on demand through a deferred transcoder when not ready yet (its failure throws, so the
 * job is retried), else the originals.
 */
export async function recipientParts(k: KernelContext, recipient: RecipientRecord, messageId: string, signal: AbortSignal): Promise<MmsPart[]> {
  const variant = typeof recipient.attributes.variant === 'string' ? recipient.attributes.variant : undefined;
  if (variant) {
    const stored = await k.store.getVariant(messageId, variant);
    if (stored && stored.length > 0) return stored;
    const transcoder = k.services.single('Transcoder');
    if (!stored && transcoder?.adaptLater && transcoder.adaptForRetrieval) {
      const capabilities = transcoder.capabilitiesFor?.(recipient);
      if (capabilities?.class === variant) {
        const made = await transcoder.adaptForRetrieval({ messageId, capabilities, recipient: recipient.index, signal });
        if (made) return made.parts;
      }
    }
  }
  return (await k.store.getParts(messageId)) ?? [];
}
