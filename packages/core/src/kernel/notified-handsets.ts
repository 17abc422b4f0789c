import { setTimeout as sleep } from 'node:timers/promises';
import type { RecipientState } from '../model/recipient-state.js';
import type { MessageStore } from '../services/message-store.js';

/** Told to fetch and not done yet: the fetch, or the acknowledgement after it, is still to come. */
const WAITING: ReadonlySet<RecipientState> = new Set(['notified', 'retrieved']);
const POLL_MS = 100;

interface Told {
  messageId: string;
  index: number;
  /** Monotonic ms when this node recorded the notification. */
  at: number;
}

/**
 * Handsets this node recently told to fetch. A graceful stop keeps serving retrievals until each
 * of them has fetched and acknowledged, so no handset is sent to a listener that is gone.
 *
 * Only notifications of the last `windowMs` are kept: a handset that has not come that long after
 * its push is not waited for (a re-notification sends it to whichever node is up). Progress is
 * read from the store, so a fetch served by another node of a cluster counts too.
 */
export class NotifiedHandsets {
  private readonly told = new Map<string, Told>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.told.size;
  }

  /** Called for every recipient move made on this node. */
  moved(messageId: string, index: number, state: RecipientState): void {
    const key = `${messageId}/${index}`;
    if (state === 'notified') {
      // Re-inserted so the map stays in notification order (pruning reads it from the head).
      this.told.delete(key);
      this.told.set(key, { messageId, index, at: this.now() });
      this.prune();
    } else if (!WAITING.has(state)) {
      this.told.delete(key);
    }
  }

  /**
   * Resolves once every handset told within the window has fetched and acknowledged, or after
   * `ms`. Returns how many were still outstanding.
   */
  async settle(store: MessageStore, ms: number): Promise<number> {
    this.prune();
    const deadline = this.now() + ms;
    while (this.told.size > 0) {
      for (const [key, t] of [...this.told]) {
        const r = await store.getRecipient(t.messageId, t.index);
        if (!r || !WAITING.has(r.state)) this.told.delete(key);
      }
      const left = deadline - this.now();
      if (this.told.size === 0 || left <= 0) break;
      await sleep(Math.min(POLL_MS, left));
    }
    return this.told.size;
  }

  private prune(): void {
    const oldest = this.now() - this.windowMs;
    for (const [key, t] of this.told) {
      if (t.at >= oldest) break;
      this.told.delete(key);
    }
  }
}
