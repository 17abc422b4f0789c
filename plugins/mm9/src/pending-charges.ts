import type { PluginContext } from '@openmmsc/core';
import type { Hold, Settlements } from './settlements.js';

/**
 * Charges made in the charge stage, per message, until the `submission` event says the message
 * was stored. A message a later stage refused is never stored: after `orphanMs` its charges are
 * undone.
 */
export class PendingCharges {
  private readonly byMessage = new Map<string, { items: Hold[]; timer: NodeJS.Timeout }>();

  constructor(
    private readonly settlements: Settlements,
    private readonly orphanMs: number,
    private readonly log: PluginContext<unknown>['log'],
  ) {}

  add(messageId: string, items: Hold[]): void {
    if (!items.length) return;
    const timer = setTimeout(() => {
      this.byMessage.delete(messageId);
      this.log.warn({ messageId }, 'charged message was never stored; undoing its charges');
      for (const h of items) void this.undo(h);
    }, this.orphanMs);
    timer.unref();
    this.byMessage.set(messageId, { items, timer });
  }

  /** The charges of a message that has been stored (they stay); undefined when none are pending. */
  take(messageId: string): Hold[] | undefined {
    const entry = this.byMessage.get(messageId);
    if (!entry) return undefined;
    this.byMessage.delete(messageId);
    clearTimeout(entry.timer);
    return entry.items;
  }

  /** Undoes a charge; a failure to queue the undo is logged (the queue retries the rest). */
  async undo(h: Hold): Promise<void> {
    await this.settlements.undo(h).catch((error: unknown) => this.log.error({ err: error, sessionId: h.sessionId }, 'could not queue the undoing of a charge'));
  }

  close(): void {
    for (const { timer } of this.byMessage.values()) clearTimeout(timer);
    this.byMessage.clear();
  }
}
