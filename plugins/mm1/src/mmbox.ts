import type { Address, MmsHeaders, MmsPart, RecipientRecord, StoredMessage } from '@openmmsc/core';
import { MM_STATE, type Coded, type MmFlag, type MmState, type StoreStatus } from '@openmmsc/codec';
import type { Dialect } from './dialects.js';
import { applyFlags, BoxIndex, totalsOf, type BoxEntry } from './mmbox-index.js';
import { MM1_INTERFACE, type Mm1 } from './mm1.js';

/** Attribute of a kept message naming the subscriber whose MMBox holds it. */
export const MMBOX_OWNER = 'mmboxOwner';

export type StoreResult =
  | { status: 'success'; entry: BoxEntry; location: string }
  | { status: Exclude<StoreStatus, 'success'>; text: string };

export interface BoxContent {
  headers: MmsHeaders;
  parts: readonly MmsPart[];
}

export interface StoreRequest {
  state: MmState;
  /** X-Mms-MM-Flags of the request (Add-tokens set keywords on the new entry). */
  flags?: readonly MmFlag[] | undefined;
  /** What the copy is of; storing the same source again answers with the entry stored first. */
  source: string;
}

/** The X-Mms-MM-State a PDU asks for, when it is one of the five the spec defines. */
export function requestedState(v: Coded<MmState> | undefined): MmState | undefined {
  return typeof v === 'string' && v in MM_STATE ? v : undefined;
}

/**
 * Subscribers' MMBoxes: each stored message is a kept message in the kernel's store (content,
 * read back like any other and purged at the box expiry by a durable job, from any node), and an
 * entry in the owner's index (state, flags, quota accounting) in MM1's store. The content is
 * written first and the index entry added atomically with the quota check; a refused entry's
 * content is discarded at once, and content a crash left without an entry is purged at expiry.
 */
export class Mmboxes {
  readonly index: BoxIndex;

  constructor(private readonly mm1: Mm1) {
    this.index = new BoxIndex(mm1.ctx.kv, () => mm1.now());
  }

  /** Content-Location of a message in an MMBox (under the handset's dialect base URL, else the plugin's). */
  location(id: string, dialect?: Dialect): string {
    return `${dialect?.publicUrl ?? this.mm1.baseUrl}/b/${this.mm1.signer.box(id)}`;
  }

  /** `http://…/b/<token>` (or a bare token) back to the kept message id. */
  idFromUrl(url: string | undefined): string | undefined {
    const m = url ? /(?:^|\/b\/)([^/?#]+)(?:[?#].*)?$/.exec(url) : null;
    return m ? this.mm1.signer.openBox(m[1]!) : undefined;
  }

  /** Stores content in the owner's MMBox, if enabled and the quota has room. */
  async store(owner: Address, content: BoxContent, req: StoreRequest, dialect?: Dialect): Promise<StoreResult> {
    const mm1 = this.mm1;
    if (!mm1.o.mmbox.enabled) return { status: 'error-permanent-service-denied', text: 'this MMSC keeps no MMBox' };
    const success = (entry: BoxEntry): StoreResult => ({ status: 'success', entry, location: this.location(entry.id, dialect) });
    const stored = await this.index.bySource(owner.value, req.source);
    if (stored) return success(stored);
    const quota = mm1.subscribers.mmboxQuota(owner.value);
    let size = 0;
    for (const p of content.parts) size += p.data.byteLength;
    // Refused before the content is written when the quota is plainly used up; the index checks again atomically.
    const totals = totalsOf(await this.index.list(owner.value));
    if (totals.messages >= quota.messages || totals.bytes + size > quota.bytes) {
      return { status: 'error-permanent-mmbox-full', text: `MMBox full: ${totals.messages}/${quota.messages} messages, ${totals.bytes}/${quota.bytes} bytes; this message is ${size} bytes` };
    }
    const now = mm1.now();
    const kept = await mm1.ctx.mmsc.keep({
      message: { headers: content.headers, parts: [...content.parts] },
      origin: { interface: MM1_INTERFACE, peer: owner.value },
      expiresAt: now + mm1.o.mmbox.expiry,
      attributes: { [MMBOX_OWNER]: owner.value },
    });
    const entry: BoxEntry = { id: kept.id, state: req.state, flags: applyFlags([], req.flags), size, storedAt: now, expiresAt: kept.expiresAt, source: req.source };
    const outcome = await this.index.add(owner.value, entry, quota);
    if (outcome.kind !== 'added') await mm1.ctx.mmsc.discard(kept.id);
    if (outcome.kind === 'full') return { status: 'error-permanent-mmbox-full', text: `MMBox full: ${outcome.why}` };
    mm1.ctx.log.debug({ owner: owner.value, id: outcome.entry.id, source: req.source }, 'stored in MMBox');
    return success(outcome.entry);
  }

  /** A received message (as its recipient sees it: no Bcc) into the recipient's MMBox. */
  async storeReceived(message: StoredMessage, recipient: RecipientRecord, req: Omit<StoreRequest, 'source'>, dialect?: Dialect): Promise<StoreResult> {
    const parts = await this.mm1.ctx.mmsc.getParts(message.id);
    if (!parts) return { status: 'error-permanent-message-not-found', text: 'the message content is gone' };
    const headers: MmsHeaders = { ...message.headers, bcc: [], messageId: message.headers.messageId ?? message.id };
    return this.store(recipient.address, { headers, parts }, { ...req, source: `received:${message.id}:${recipient.index}` }, dialect);
  }

  /** Removes the owner's entries and their content; resolves to the ids that were there. */
  async delete(owner: string, ids: readonly string[]): Promise<Set<string>> {
    const removed = await this.index.remove(owner, ids);
    for (const e of removed) await this.mm1.ctx.mmsc.discard(e.id);
    return new Set(removed.map((e) => e.id));
  }
}
