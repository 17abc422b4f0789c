import type { Capabilities, PluginContext, RetrievalVariant, TranscodeRequest, TranscodeResult } from '@openmmsc/core';

export interface VariantCacheDeps {
  mmsc: PluginContext<unknown>['mmsc'];
  transcode(request: TranscodeRequest): Promise<TranscodeResult>;
  /** Whether a job is making this variant on some node right now. */
  runningAnywhere(messageId: string, cls: string): Promise<boolean>;
  /** How long to wait for a variant another node is making before making it here. */
  waitMs: number;
  /** Name written as `by` in the recipients' history. */
  by: string;
  log: PluginContext<unknown>['log'];
  /** Aborts work under way when the plugin stops. */
  stopped: AbortSignal;
  now(): number;
  /** How often a wait for another node looks for the variant (default 100 ms). */
  pollMs?: number;
}

const keyOf = (messageId: string, cls: string): string => `${messageId}\u0000${cls}`;
/** Adaptations of one class in a row that may find the parts replaced under them. */
const MAX_ATTEMPTS = 3;

/**
 * One adapted variant per message and class, kept with the message in the store (shared by every
 * node, removed with the message, dropped when its parts are replaced). An empty variant stands
 * for "the originals suit this class". Making one is single-flight on a node: a job, a delivery
 * and fetches of the same class share one adaptation; a variant another node is making is waited
 * for (`waitMs`) before this node makes its own.
 */
export class VariantCache {
  readonly #making = new Map<string, { done: Promise<RetrievalVariant | undefined>; askers: Set<number> }>();

  constructor(private readonly d: VariantCacheDeps) {}

  /** The stored variant of a class, or `undefined` while none is. */
  async ready(messageId: string, cls: string): Promise<RetrievalVariant | undefined> {
    const parts = await this.d.mmsc.getVariant(messageId, cls);
    if (!parts) return undefined;
    if (parts.length > 0) return { variant: cls, parts, adapted: true, notes: [] };
    const original = await this.d.mmsc.getParts(messageId);
    return original && { variant: cls, parts: original, adapted: false, notes: [] };
  }

  /** The variant: ready, or being made (here, or elsewhere and waited for), or made now. */
  async get(input: { messageId: string; capabilities: Capabilities; recipient?: number; signal?: AbortSignal }): Promise<RetrievalVariant | undefined> {
    const { messageId, capabilities, recipient, signal } = input;
    const cls = capabilities.class;
    const ready = await this.ready(messageId, cls);
    if (ready) return ready;
    if (!this.#making.has(keyOf(messageId, cls)) && (await this.d.runningAnywhere(messageId, cls))) {
      const waited = await this.#waitForOtherNode(messageId, cls, signal);
      if (waited) return waited;
    }
    return this.make(messageId, capabilities, { ...(recipient !== undefined ? { recipient } : {}), ...(signal ? { signal } : {}) });
  }

  /**
   * Makes the variant, or joins its making under way on this node; resolves once it is stored.
   * The caller's `signal` ends only its own wait: the making goes on for the others.
   */
  make(messageId: string, capabilities: Capabilities, options: { recipient?: number; signal?: AbortSignal } = {}): Promise<RetrievalVariant | undefined> {
    const key = keyOf(messageId, capabilities.class);
    let entry = this.#making.get(key);
    if (!entry) {
      const askers = new Set<number>();
      const done = this.#make(messageId, capabilities, askers).finally(() => this.#making.delete(key));
      entry = { done, askers };
      this.#making.set(key, entry);
    }
    if (options.recipient !== undefined) entry.askers.add(options.recipient);
    return untilAborted(entry.done, options.signal);
  }

  /** Variants being made on this node now. */
  get making(): number {
    return this.#making.size;
  }

  /** Tells the recipients of a class that its adaptation gave up (their history shows it). */
  async failed(messageId: string, cls: string, error: Error): Promise<void> {
    await this.#record(messageId, cls, new Set(), { event: 'adaptation-failed', reason: `adaptation to class ${cls} failed: ${error.message}` });
  }

  async #make(messageId: string, capabilities: Capabilities, askers: Set<number>): Promise<RetrievalVariant | undefined> {
    const cls = capabilities.class;
    // Another node may have stored it since the caller looked.
    const again = await this.ready(messageId, cls);
    if (again) return again;
    for (let attempt = 1; ; attempt++) {
      const [message, original] = await Promise.all([this.d.mmsc.getMessage(messageId), this.d.mmsc.getPartsRevision(messageId)]);
      if (!message || !original) return undefined;
      const result = await this.d.transcode({
        message: { id: message.id, headers: message.headers, size: message.size, expiresAt: message.expiresAt },
        parts: original.parts,
        recipient: { address: message.headers.from, route: { target: 'local', by: this.d.by } },
        capabilities,
        signal: this.d.stopped,
      });
      // A stop cuts conversions short, and a cut conversion reads as a failed one (a notice in place
      // of the part): nothing made while stopping is stored. The job, handed back, makes it again.
      if (this.d.stopped.aborted) throw new Error(`adaptation of ${messageId} to class ${cls} stopped with this node; it runs again after the restart`);
      // Refused when a ReplaceReq changed the parts while they were adapted: what was made is the
      // old content, which no handset may get. Made again from the new parts, a few times at most.
      if (!(await this.d.mmsc.saveVariant(messageId, cls, result?.parts ?? [], original.revision))) {
        if (attempt < MAX_ATTEMPTS) continue;
        throw new Error(`adaptation of ${messageId} to class ${cls}: its parts were replaced ${MAX_ATTEMPTS} times while it ran`);
      }
      if (result) {
        const notes = result.notes?.length ? result.notes.join('; ') : 'no notes';
        await this.#record(messageId, cls, askers, { event: 'adapted', reason: `adapted to class ${cls}: ${notes}` });
      }
      return { variant: cls, parts: result?.parts ?? original.parts, adapted: !!result, notes: result?.notes ?? [] };
    }
  }

  /** A history entry for every recipient of the class, and for those who asked for it at retrieval. */
  async #record(messageId: string, cls: string, askers: ReadonlySet<number>, event: { event: string; reason: string }): Promise<void> {
    try {
      const recipients = await this.d.mmsc.getRecipients(messageId);
      for (const r of recipients) {
        if (r.attributes.variant !== cls && !askers.has(r.index)) continue;
        await this.d.mmsc.recordEvent(messageId, r.index, { by: this.d.by, ...event });
      }
    } catch (error) {
      // The variant is stored; a lost history line is not worth failing the adaptation for.
      this.d.log.warn({ err: error, messageId, class: cls }, 'recording the adaptation in the history failed');
    }
  }

  async #waitForOtherNode(messageId: string, cls: string, signal: AbortSignal | undefined): Promise<RetrievalVariant | undefined> {
    const until = this.d.now() + this.d.waitMs;
    const poll = this.d.pollMs ?? 100;
    while (this.d.now() < until && !signal?.aborted && !this.d.stopped.aborted) {
      await new Promise((r) => setTimeout(r, poll));
      const ready = await this.ready(messageId, cls);
      if (ready) return ready;
      if (!(await this.d.runningAnywhere(messageId, cls))) return this.ready(messageId, cls);
    }
    return undefined;
  }
}

/** The caller stops waiting when its signal aborts; the shared work goes on for the others. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
