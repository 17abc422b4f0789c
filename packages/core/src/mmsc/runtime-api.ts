import type { AdmissionDecision } from '../kernel/admission.js';
import type { KernelMetrics } from '../kernel/kernel-metrics.js';
import { discardMessage, keepMessage } from '../kernel/kept-messages.js';
import { cancelMessage, replaceMessage } from '../kernel/message-changes.js';
import { submit } from '../kernel/submission.js';
import { parseAddress, type Address, type AddressingOptions } from '../model/address.js';
import type { MmsPart } from '../model/message.js';
import type { RecipientEvent, RecipientRecord, RecipientState } from '../model/recipient-state.js';
import type {
  CancelOutcome,
  KeepInput,
  MmscRuntime,
  PluginExposures,
  ReplaceChanges,
  SubmitInput,
  SubmitResult,
  TransitionOptions,
} from '../runtime.js';
import type { AttributeValue, StoredMessage } from '../services/message-store.js';
import type { Report } from '../services/report-sender.js';
import { retryRecipientNow, type RetryOutcome } from '../kernel/operator-actions.js';
import type { Started } from './started.js';

/** The runtime API plugins and integrators call (`MmscRuntime`), over a started MMSC. */
export abstract class RuntimeApi implements MmscRuntime {
  abstract readonly metrics: KernelMetrics;
  /** Submissions and transitions under way: the stop lets them finish before the store closes. */
  protected readonly inFlight = new Set<Promise<unknown>>();
  protected abstract readonly addressing: AddressingOptions;
  protected abstract current: Started | undefined;
  /** Whether new submissions are taken (running, or plugins starting). */
  protected abstract takesSubmissions(): boolean;

  protected get started(): Started {
    if (!this.current) throw new Error('the MMSC is not started');
    return this.current;
  }

  async submit(input: SubmitInput): Promise<SubmitResult> {
    if (!this.takesSubmissions()) {
      const reason = { code: 'network-problem' as const, message: 'the MMSC is shutting down; try again' };
      return { status: 'deferred', messageId: '', reason, recipients: [] };
    }
    // Before this one counts as in flight: the check is about the work already running.
    const admitted = this.admit(input.origin.interface);
    if (!admitted.ok) {
      this.metrics.submissions.inc({ interface: input.origin.interface, status: 'deferred' });
      return { status: 'deferred', messageId: '', reason: admitted.reason, recipients: [], retryAfterMs: admitted.retryAfterMs };
    }
    const { k, lifecycle, retransmissions } = this.started;
    const once = () => submit(k, lifecycle, input);
    const run = input.retransmission
      ? retransmissions.submitOnce(input.origin.interface, input.retransmission, input.message, once).then((result) => {
          if (result.retransmission) this.metrics.submissions.inc({ interface: input.origin.interface, status: 'retransmission' });
          return result;
        })
      : once();
    return this.track(run);
  }

  protected async track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  getMessage(id: string): Promise<StoredMessage | undefined> {
    return this.started.k.store.get(id);
  }

  async getParts(id: string, variant?: string): Promise<MmsPart[] | undefined> {
    const store = this.started.k.store;
    if (variant) {
      const adapted = await store.getVariant(id, variant);
      // An empty variant records that the originals suit the class.
      if (adapted && adapted.length > 0) return adapted;
    }
    return store.getParts(id);
  }

  getPartsRevision(id: string): Promise<{ parts: MmsPart[]; revision: number } | undefined> {
    return this.started.k.store.getPartsRevision(id);
  }

  saveVariant(id: string, variant: string, parts: readonly MmsPart[], madeFrom?: number): Promise<boolean> {
    return this.started.k.store.saveVariant(id, variant, parts, madeFrom);
  }

  getVariant(id: string, variant: string): Promise<MmsPart[] | undefined> {
    return this.started.k.store.getVariant(id, variant);
  }

  getRecipients(id: string): Promise<RecipientRecord[]> {
    return this.started.k.store.getRecipients(id);
  }

  getRecipient(id: string, index: number): Promise<RecipientRecord | undefined> {
    return this.started.k.store.getRecipient(id, index);
  }

  transition(id: string, index: number, state: RecipientState, options: TransitionOptions): Promise<RecipientRecord> {
    return this.track(this.started.lifecycle.transition(id, index, state, options));
  }

  setRecipientAttributes(id: string, index: number, attributes: Record<string, AttributeValue>): Promise<RecipientRecord> {
    return this.started.lifecycle.setAttributes(id, index, attributes);
  }

  async sendReport(messageId: string, report: Report): Promise<void> {
    const { k, lifecycle } = this.started;
    const message = await k.store.get(messageId);
    if (!message) throw new Error(`unknown message ${messageId}`);
    await lifecycle.enqueueReportByAddress(message, report);
  }

  cancel(messageId: string, options: { by: string; reason?: string }): Promise<CancelOutcome> {
    return cancelMessage(this.started.k, this.started.lifecycle, messageId, options);
  }

  retryNow(messageId: string, index: number, options: { by: string; renotify?: boolean }): Promise<RetryOutcome> {
    return retryRecipientNow(this.started.k, this.started.lifecycle, messageId, index, { by: options.by, renotify: options.renotify === true });
  }

  replace(messageId: string, changes: ReplaceChanges): Promise<void> {
    return replaceMessage(this.started.k, messageId, changes);
  }

  recordEvent(id: string, index: number, event: RecipientEvent): Promise<RecipientRecord> {
    return this.started.lifecycle.recordEvent(id, index, event);
  }

  keep(input: KeepInput): Promise<StoredMessage> {
    return keepMessage(this.started.k, input);
  }

  discard(id: string): Promise<boolean> {
    return discardMessage(this.started.k, id);
  }

  parseAddress(raw: string): Address {
    return parseAddress(raw, this.addressing);
  }

  admit(iface: string): AdmissionDecision {
    return this.current ? this.current.protection.admission.check(iface) : { ok: true };
  }

  plugin<N extends keyof PluginExposures>(name: N): PluginExposures[N] | undefined;
  plugin(name: string): unknown;
  plugin(name: string): unknown {
    return this.current?.exposures.get(name);
  }
}
