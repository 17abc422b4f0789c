import { addressKey } from '../model/address.js';
import { FINAL_STATES, applyEvent, applyTransition, canTransition, type RecipientEvent, type RecipientRecord, type RecipientState } from '../model/recipient-state.js';
import type { ChargingEventType, ChargingRecordWritten } from '../services/charging-backend.js';
import type { JsonObject } from '../services/job-queue.js';
import type { AttributeValue, StoredMessage } from '../services/message-store.js';
import type { DeliveryStatus, Report } from '../services/report-sender.js';
import type { TransitionOptions } from '../runtime.js';
import { allDone } from '../util/all-done.js';
import { jobIds, jobKindOf } from './job-ids.js';
import { jobSpec } from './job-specs.js';
import type { KernelContext } from './kernel-context.js';

const DEFAULT_REPORT: Partial<Record<RecipientState, DeliveryStatus>> = {
  delivered: 'retrieved',
  rejected: 'rejected',
  expired: 'expired',
};

const CHARGING_EVENT: Partial<Record<RecipientState, ChargingEventType>> = {
  notified: 'notified',
  retrieved: 'retrieved',
  delivered: 'delivered',
  forwarded: 'forwarded',
  expired: 'expired',
  rejected: 'recipient-rejected',
};

/**
 * The one place recipients move. Side effects of a move: metrics, charging events, the delivery
 * report the originator asked for, cancelling jobs that a final state makes pointless, and
 * scheduling the purge once every recipient is final.
 */
export class RecipientLifecycle {
  constructor(
    private readonly k: KernelContext,
    /** Told of every move made on this node (the graceful stop follows notified handsets with it). */
    private readonly onMoved?: (messageId: string, index: number, state: RecipientState) => void,
  ) {}

  async transition(messageId: string, index: number, to: RecipientState, opts: TransitionOptions): Promise<RecipientRecord> {
    return (await this.#move(messageId, index, to, opts))!;
  }

  /**
   * Moves a recipient on or, when a quicker party has moved it where it cannot go to `to` any more
   * (the handset fetched while its push was on the way), records `instead` in its history (an
   * event, or one made from the record as it stands): one write either way, no error. Resolves to
   * the moved record, or `undefined` when it recorded.
   */
  async transitionOrRecord(
    messageId: string,
    index: number,
    to: RecipientState,
    opts: TransitionOptions,
    instead: RecipientEvent | ((current: RecipientRecord) => RecipientEvent),
  ): Promise<RecipientRecord | undefined> {
    return this.#move(messageId, index, to, opts, instead);
  }

  async #move(
    messageId: string,
    index: number,
    to: RecipientState,
    opts: TransitionOptions,
    instead?: RecipientEvent | ((current: RecipientRecord) => RecipientEvent),
  ): Promise<RecipientRecord | undefined> {
    const now = this.k.clock.now();
    const node = this.k.config.node.id;
    // Set inside the update, which a store may run again on contention: each run decides afresh.
    let passed: RecipientState | undefined;
    let moved = true;
    const updated = await this.k.store.updateRecipient(messageId, index, (current) => {
      passed = undefined;
      moved = true;
      let from = current;
      const via = opts.via;
      if (via && !canTransition(current.state, to) && canTransition(current.state, via.state) && canTransition(via.state, to)) {
        from = applyTransition(current, via.state, opts.by, now, via.reason);
        passed = via.state;
      } else if (instead && !canTransition(current.state, to)) {
        moved = false;
        return withNode(applyEvent(current, typeof instead === 'function' ? instead(current) : instead, now), node);
      }
      const next = withNode(applyTransition(from, to, opts.by, now, opts.reason), node);
      return opts.attributes ? { ...next, attributes: { ...next.attributes, ...opts.attributes } } : next;
    });
    if (!moved) return undefined;
    try {
      if (passed) {
        this.k.metrics.transitions.inc({ state: passed });
        await this.afterMove(messageId, index, passed, updated, { by: opts.by, reason: opts.via!.reason, report: false }, now);
      }
      this.k.metrics.transitions.inc({ state: to });
      await this.afterMove(messageId, index, to, updated, opts, now);
    } finally {
      // Told only once the move's side effects are done: the graceful stop closes the queue after this.
      if (passed) this.onMoved?.(messageId, index, passed);
      this.onMoved?.(messageId, index, to);
    }
    return updated;
  }

  private async afterMove(messageId: string, index: number, to: RecipientState, updated: RecipientRecord, opts: TransitionOptions, now: number): Promise<void> {
    // The message is read only for a side effect that needs it (a backend to charge, a report
    // that may be due): most moves of a node without charging backends cost no read of it.
    const eventType = CHARGING_EVENT[to];
    const charge = eventType !== undefined && this.k.services.all('ChargingBackend').some((b) => b.record);
    const report = opts.report === false ? undefined : (opts.report ?? DEFAULT_REPORT[to]);
    if (charge || report) {
      const message = await this.k.store.get(messageId);
      if (!message) return; // purged meanwhile: nothing left to charge, report or end
      if (charge) await this.recordCharging(eventType, message, updated);
      if (report && message.headers.deliveryReport) {
        await this.enqueueReport(message, index, {
          kind: 'delivery',
          messageId,
          recipient: updated.address,
          status: report,
          at: now,
        });
      }
    }
    if (FINAL_STATES.has(to)) await this.afterFinal(messageId, index);
  }

  /** Records an event in the recipient's history without moving it (any state, final ones too). */
  async recordEvent(messageId: string, index: number, event: RecipientEvent): Promise<RecipientRecord> {
    const now = this.k.clock.now();
    return this.k.store.updateRecipient(messageId, index, (current) => withNode(applyEvent(current, event, now), this.k.config.node.id));
  }

  async setAttributes(messageId: string, index: number, attributes: Record<string, AttributeValue>): Promise<RecipientRecord> {
    return this.k.store.updateRecipient(messageId, index, (r) => ({ ...r, attributes: { ...r.attributes, ...attributes } }));
  }

  async enqueueReport(message: StoredMessage, index: number, report: Report): Promise<void> {
    const data = { messageId: message.id, index, report: JSON.parse(JSON.stringify(report)) as JsonObject };
    await this.k.queue.enqueue(
      jobSpec(this.k, 'report', jobIds.report(message.id, index, report.kind, report.status), data),
    );
  }

  /** A report for a recipient found by address (read reports arrive by address, not index). */
  async enqueueReportByAddress(message: StoredMessage, report: Report): Promise<void> {
    const recipients = await this.k.store.getRecipients(message.id);
    const key = addressKey(report.recipient);
    const found = recipients.find((r) => addressKey(r.address) === key);
    await this.enqueueReport(message, found?.index ?? -1, report);
  }

  async recordCharging(type: ChargingEventType, message: StoredMessage, recipient?: RecipientRecord, status?: string): Promise<void> {
    for (const backend of this.k.services.all('ChargingBackend')) {
      if (!backend.record) continue;
      try {
        const event = { type, at: this.k.clock.now(), message, ...(recipient ? { recipient } : {}), ...(status ? { status } : {}) };
        const written = await backend.record(event);
        if (written?.length) await this.noteRecords(message.id, recipient, backend.name, written);
      } catch (error) {
        this.k.log.error({ err: error, backend: backend.name, event: type, messageId: message.id }, 'charging backend failed to record an event');
      }
    }
  }

  /** The records a backend wrote, in the history of the recipient they bill (every recipient for a message-level one). */
  private async noteRecords(messageId: string, recipient: RecipientRecord | undefined, by: string, written: readonly ChargingRecordWritten[]): Promise<void> {
    const indexes = recipient ? [recipient.index] : (await this.k.store.getRecipients(messageId)).map((r) => r.index);
    // Recipients side by side (a commit for all of them), each one's records in the order written.
    await allDone(
      indexes.map(async (index) => {
        for (const w of written) await this.recordEvent(messageId, index, { by, event: 'cdr-written', reason: `${w.recordType} ${w.id}` });
      }),
    );
  }

  private async afterFinal(messageId: string, index: number): Promise<void> {
    const all = await this.k.store.getRecipients(messageId);
    // None: the message was purged meanwhile, and there is nothing left to purge.
    const last = all.length > 0 && all.every((r) => FINAL_STATES.has(r.state));
    // Independent of each other: together they share a commit (a round trip), not one each.
    await allDone([
      this.k.queue.cancel(jobIds.notify(messageId, index), jobKindOf.notify),
      this.k.queue.cancel(jobIds.deliver(messageId, index), jobKindOf.deliver),
      this.k.queue.cancel(jobIds.reroute(messageId, index), jobKindOf.reroute),
      ...(last
        ? [
            this.k.queue.cancel(jobIds.expire(messageId), jobKindOf.expire),
            this.k.queue.enqueue(
              jobSpec(this.k, 'expire', jobIds.purge(messageId), { messageId, phase: 'purge' }, this.k.clock.now() + this.k.config.expiry.retention),
            ),
          ]
        : []),
    ]);
  }
}

/** Marks the entry just appended with the node that made it. */
function withNode(record: RecipientRecord, node: string): RecipientRecord {
  const last = record.history[record.history.length - 1];
  return last ? { ...record, history: [...record.history.slice(0, -1), { ...last, node }] } : record;
}
