import { createHash } from 'node:crypto';
import { setImmediate as afterIo } from 'node:timers/promises';
import type { Logger } from 'pino';
import { addressKey } from '../model/address.js';
import type { MmsMessage } from '../model/message.js';
import type { Retransmission, SubmitResult } from '../runtime.js';
import type { KeyValueStore } from '../services/message-store.js';

interface Remembered {
  fingerprint: string;
  result: SubmitResult;
}

/**
 * What a fingerprint is taken of, as the sender sent it: read before the stages may change the
 * message (a stage replaces a part, it does not write into the sender's bytes, which are kept by
 * reference, not copied), hashed only when it is needed.
 */
export interface SentContent {
  from: string;
  recipients: string[][];
  subject: string;
  contentType: string;
  parts: Array<{ type: string; contentId: string; contentLocation: string; data: Uint8Array }>;
}

/**
 * Recognises a sender's retransmission: the same ingress, transaction key and content within a
 * window gets the first answer again instead of a second message. A key reused for different
 * content is a new request (handsets restart their transaction counters), never a silent drop.
 *
 * Only accepted submissions are remembered: a retry of a refused or deferred one is judged anew.
 * Concurrent duplicates on one node wait for the first, and for it to be remembered; across nodes
 * the shared store decides once the first has been remembered.
 *
 * A first submission is answered before its fingerprint is taken and stored: the hash of a 10 MB
 * body and a write are not in the sender's wait. A retransmission the sender makes after that
 * answer still waits here, on this node, until they are done.
 */
export class Retransmissions {
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly kv: KeyValueStore,
    private readonly log: Logger,
  ) {}

  async submitOnce(
    scope: string,
    retransmission: Retransmission,
    message: MmsMessage,
    run: () => Promise<SubmitResult>,
  ): Promise<SubmitResult> {
    const key = `${scope}:${retransmission.key}`;
    const sent = sentContentOf(message);
    // Chained per key, so a duplicate that arrives while the first is still running (or being
    // remembered) waits for it.
    const before = this.running.get(key) ?? Promise.resolve();
    const decided = before.then(() => this.decide(key, sent, retransmission.windowMs, run));
    const done = decided.then((d) => d.remembered, () => undefined);
    this.running.set(key, done);
    void done.then(() => {
      if (this.running.get(key) === done) this.running.delete(key);
    });
    return (await decided).result;
  }

  private async decide(
    key: string,
    sent: SentContent,
    windowMs: number,
    run: () => Promise<SubmitResult>,
  ): Promise<{ result: SubmitResult; remembered: Promise<void> }> {
    const previous = await this.kv.get<Remembered>(key);
    if (previous && previous.fingerprint === fingerprintOf(sent)) {
      return { result: { ...previous.result, retransmission: true }, remembered: Promise.resolve() };
    }
    const result = await run();
    const remembered = result.status === 'accepted' ? this.remember(key, sent, result, windowMs) : Promise.resolve();
    return { result: previous ? { ...result, reusedKey: true } : result, remembered };
  }

  private async remember(key: string, sent: SentContent, result: SubmitResult, windowMs: number): Promise<void> {
    // After the answer has gone out (it is written in the microtasks that follow this return).
    await afterIo();
    try {
      await this.kv.set<Remembered>(key, { fingerprint: fingerprintOf(sent), result }, windowMs);
    } catch (error) {
      // The message is stored either way: failing to remember it only weakens duplicate detection.
      this.log.warn({ err: error, messageId: result.messageId }, 'could not remember the submission for retransmission detection');
    }
  }
}

/** What makes two submissions the same message: sender, recipients, subject and content. */
export function sentContentOf(message: MmsMessage): SentContent {
  const h = message.headers;
  return {
    from: addressKey(h.from),
    recipients: [h.to, h.cc, h.bcc].map((list) => list.map(addressKey)),
    subject: h.subject?.text ?? '',
    contentType: h.contentType.type,
    parts: message.parts.map((p) => ({ type: p.contentType.type, contentId: p.contentId ?? '', contentLocation: p.contentLocation ?? '', data: p.data })),
  };
}

export function fingerprintOf(sent: SentContent): string {
  const hash = createHash('sha256');
  const field = (value: string) => hash.update(`${value.length}:${value};`);
  field(sent.from);
  for (const list of sent.recipients) {
    field(String(list.length));
    for (const a of list) field(a);
  }
  field(sent.subject);
  field(sent.contentType);
  for (const part of sent.parts) {
    field(part.type);
    field(part.contentId);
    field(part.contentLocation);
    field(String(part.data.byteLength));
    hash.update(part.data);
  }
  return hash.digest('base64url');
}
