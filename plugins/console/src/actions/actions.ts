import type { MmscRuntime } from '@openmmsc/core';
import type { Session } from '../auth/sessions.js';
import type { BlockList } from './block-list.js';

export const ACTIONS = ['resend-notification', 'retry-now', 'cancel', 'block-sender'] as const;
export type ActionName = (typeof ACTIONS)[number];

export interface ActionResult {
  ok: boolean;
  detail: string;
}

/**
 * An operator's action on one recipient of a message; each is recorded in that recipient's
 * history as `console:<user>`.
 */
export async function runAction(mmsc: MmscRuntime, blocks: BlockList, session: Session, messageId: string, index: number, action: ActionName, now: number): Promise<ActionResult> {
  const by = `console:${session.user}`;
  const message = await mmsc.getMessage(messageId);
  const recipient = message && (await mmsc.getRecipient(messageId, index));
  if (!message || !recipient) return { ok: false, detail: 'no such message or recipient' };
  switch (action) {
    case 'resend-notification':
    case 'retry-now': {
      const r = await mmsc.retryNow(messageId, index, { by, renotify: action === 'resend-notification' });
      return { ok: r.queued, detail: r.detail };
    }
    case 'cancel': {
      const r = await mmsc.cancel(messageId, { by, reason: `cancelled by ${session.user} in the console` });
      return { ok: true, detail: `${r.cancelled} recipients cancelled, ${r.alreadyFinal} already final` };
    }
    case 'block-sender': {
      const address = message.headers.from.value;
      await blocks.block({ address, by: session.user, at: now, reason: `from message ${messageId}` });
      await mmsc.recordEvent(messageId, index, { by, event: 'operator-block-sender', reason: `${address} blocked` });
      return { ok: true, detail: `${address} is blocked: its new messages are refused` };
    }
  }
}
