import { BoundedMap, type PluginContext } from '@openmmsc/core';
import type { IncomingSms } from './incoming.js';
import type { SmscLink } from './link.js';
import type { SmppMetrics } from './metrics.js';
import { alternativeIds, isReceiptEsmClass, parseReceipt, type DeliveryReceipt } from './receipt.js';

/** What is kept (in `ctx.kv`, key `smsc-id:<id>`) for each SMSC message id, to match delivery receipts. */
export interface SubmittedRecord {
  messageId: string;
  /** The recipient address the notification went to (normalised, e.g. `+15550000002`). */
  recipient: string;
  kind: string;
  link: string;
  segment: number;
  segments: number;
  at: number;
}

/** A delivery receipt as recorded (key `receipt:<smsc id>`, and `receipt:<messageId>:<recipient>` when matched). */
export interface ReceiptRecord extends DeliveryReceipt {
  link: string;
  at: number;
  messageId?: string;
  recipient?: string;
}

interface Early {
  record: ReceiptRecord;
  keys: string[];
  timer: NodeJS.Timeout;
}

const RECENT_MAX = 10_000;
/** How long a receipt waits for the submit_sm_resp that names its id (SMSCs may send it first). */
export const EARLY_RECEIPT_MS = 60_000;

/**
 * Matches SMSC delivery receipts to the notifications they are about. Ids are remembered as each
 * segment's submit_sm_resp arrives; a receipt that comes before it waits (in memory here, and as
 * an unmatched `receipt:<id>` in the shared kv for other nodes) and is matched when the id shows up.
 */
export class ReceiptBook {
  private readonly recent = new BoundedMap<string, SubmittedRecord>(RECENT_MAX);
  private readonly early = new Map<string, Early>();

  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly ttlMs: number,
    private readonly metrics: SmppMetrics,
  ) {}

  /** An SMSC message id came back in a submit_sm_resp. */
  remember(id: string, rec: SubmittedRecord): void {
    this.recent.set(id, rec);
    const early = this.early.get(id);
    if (early) {
      this.forget(early);
      void this.settle(early.record, rec, id);
    }
    this.ctx.kv.set(`smsc-id:${id}`, rec, this.ttlMs).catch((error: unknown) => this.ctx.log.error({ err: error }, 'could not store an SMSC message id'));
    if (!early) void this.matchStored(id, rec);
  }

  /** A deliver_sm arrived on a link. */
  async onDeliver(link: SmscLink, sms: IncomingSms): Promise<void> {
    const log = this.ctx.log;
    const looksLikeReceipt = isReceiptEsmClass(sms.esmClass) || sms.receiptedMessageId !== undefined;
    if (!looksLikeReceipt) {
      log.info({ link: link.name, from: sms.sourceAddr, to: sms.destinationAddr }, 'mobile-originated SMS received and ignored (this bearer only sends)');
      return;
    }
    const tlv: { receiptedMessageId?: string; messageState?: number } = {};
    if (sms.receiptedMessageId !== undefined) tlv.receiptedMessageId = sms.receiptedMessageId;
    if (sms.messageState !== undefined) tlv.messageState = sms.messageState;
    const receipt = parseReceipt(sms.text, tlv);
    if (!receipt) {
      log.warn({ link: link.name, text: sms.text }, 'delivery receipt without a message id');
      return;
    }
    this.metrics.receipts.inc({ stat: receipt.stat });
    const record: ReceiptRecord = { ...receipt, link: link.name, at: this.ctx.clock.now() };
    const keys = [receipt.id, ...alternativeIds(receipt.id)];
    // Synchronously, so a submit_sm_resp arriving meanwhile finds it.
    for (const id of keys) {
      const sub = this.recent.get(id);
      if (sub) return this.settle(record, sub, id);
    }
    const early: Early = { record, keys, timer: setTimeout(() => this.expire(early), EARLY_RECEIPT_MS).unref() };
    for (const id of keys) this.early.set(id, early);
    await this.ctx.kv.set(`receipt:${receipt.id}`, record, this.ttlMs);
    for (const id of keys) {
      const sub = await this.ctx.kv.get<SubmittedRecord>(`smsc-id:${id}`);
      if (sub && this.early.get(id) === early) {
        this.forget(early);
        return this.settle(record, sub, id);
      }
    }
    log.debug({ link: link.name, smscId: receipt.id }, 'delivery receipt before its submit_sm_resp (or for an id we never sent); waiting for the id');
  }

  /** Drops pending timers (on close). */
  close(): void {
    for (const early of new Set(this.early.values())) this.forget(early);
  }

  /** A receipt another node recorded before this node's submit_sm_resp came in. */
  private async matchStored(id: string, rec: SubmittedRecord): Promise<void> {
    try {
      const stored = await this.ctx.kv.get<ReceiptRecord>(`receipt:${id}`);
      // Only a recent one: SMSC ids wrap around, and an old unmatched receipt is not about this SMS.
      if (stored && stored.messageId === undefined && this.ctx.clock.now() - stored.at <= EARLY_RECEIPT_MS) await this.settle(stored, rec, id);
    } catch (error) {
      this.ctx.log.debug({ err: error, smscId: id }, 'could not look for an early delivery receipt');
    }
  }

  private forget(early: Early): void {
    clearTimeout(early.timer);
    for (const id of early.keys) if (this.early.get(id) === early) this.early.delete(id);
  }

  private expire(early: Early): void {
    this.forget(early);
    this.metrics.unmatchedReceipts.inc();
    const { id, stat } = early.record;
    this.ctx.log.info({ link: early.record.link, smscId: id, stat }, `delivery receipt ${stat} for an unknown SMSC message id ${id}`);
  }

  private async settle(receipt: ReceiptRecord, sub: SubmittedRecord, smscId: string): Promise<void> {
    const { ctx } = this;
    const record: ReceiptRecord = { ...receipt, messageId: sub.messageId, recipient: sub.recipient };
    try {
      await ctx.kv.set(`receipt:${smscId}`, record, this.ttlMs);
      await ctx.kv.set(`receipt:${sub.messageId}:${sub.recipient}`, record, this.ttlMs);
      ctx.log.info(
        { link: record.link, smscId, messageId: sub.messageId, recipient: sub.recipient, stat: record.stat, err: record.err },
        `delivery receipt ${record.stat} for message ${sub.messageId} to ${sub.recipient}`,
      );
      const recipients = await ctx.mmsc.getRecipients(sub.messageId);
      const r = recipients.find((x) => x.address.value === sub.recipient);
      if (r) await ctx.mmsc.setRecipientAttributes(sub.messageId, r.index, { pushReceipt: record.stat, pushReceiptAt: record.at });
    } catch (error) {
      ctx.log.error({ err: error, smscId }, 'could not record a delivery receipt');
    }
  }
}
