import { CHARGING_SESSION_ID, type ChargingEvent, type PluginContext, type StoredMessage } from '@openmmsc/core';
import type { Mm9Options } from './options.js';
import type { PendingCharges } from './pending-charges.js';
import type { Hold, Settlements } from './settlements.js';

/**
 * The charging events that settle charges: the stored message (charges of recipients refused
 * before it was stored are undone), and each recipient's final state (commit or release in
 * session mode, refund of a failed recipient in event mode).
 */
export function createRecord(o: Mm9Options, settlements: Settlements, pending: PendingCharges, mmsc: PluginContext<unknown>['mmsc']): (event: ChargingEvent) => Promise<void> {
  async function settleSubmission(message: StoredMessage): Promise<void> {
    const items = pending.take(message.id);
    if (!items) return;
    // Recipients that a later handler rejected before the message was stored never move again:
    // undo their charge now.
    const recipients = await mmsc.getRecipients(message.id);
    const rejected = new Set(recipients.filter((r) => r.state === 'rejected').map((r) => r.index));
    for (const h of items) if (rejected.has(h.index)) await settlements.undo(h);
  }

  return async function record(event: ChargingEvent): Promise<void> {
    if (event.type === 'submission') return settleSubmission(event.message);
    const c = event.recipient?.charge;
    // `mm9Session`: where 0.1 kept the Session-Id; recipients stored by it still carry it.
    const sessionId = c?.[CHARGING_SESSION_ID] ?? c?.mm9Session;
    if (!event.recipient || !c || typeof sessionId !== 'string' || typeof c.mm9Subscriber !== 'string') return;
    const h: Hold = {
      index: event.recipient.index,
      sessionId,
      subscriber: mmsc.parseAddress(c.mm9Subscriber),
      units: typeof c.mm9Units === 'number' ? c.mm9Units : o.unitsPerRecipient,
    };
    const failed = event.type === 'expired' || event.type === 'recipient-rejected';
    if (o.mode === 'session') {
      if (failed) await settlements.settle(h.sessionId, h, 'release');
      else if ((o.commitOn as readonly string[]).includes(event.type)) await settlements.settle(h.sessionId, h, 'commit');
    } else if (failed && o.refundOnFailure) {
      await settlements.undo(h);
    }
  };
}
