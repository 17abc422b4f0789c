import { createHash } from 'node:crypto';
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
 * Recognises a sender's retransmission: the same ingress, transaction key and content within a
 * window gets the first answer again instead of a second message. A key reused for different
 * content is a new request (handsets restart their transaction counters), never a silent drop.
 *
 * Only accepted submissions are remembered: a retry of a refused or deferred one is judged anew.
 * Concurrent duplicates on one node wait for the first; across nodes the shared store decides
 * once the first has finished.
 */
export class Retransmissions {
  private readonly running = new Map<string, Promise<SubmitResult | undefined>>();

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
    const fingerprint = fingerprintOf(message);
    // Chained per key, so a duplicate that arrives while the first is still running waits for it.
    const before = this.running.get(key) ?? Promise.resolve(undefined);
    const mine = before.catch(() => undefined).then(() => this.decide(key, fingerprint, retransmission.windowMs, run));
    this.running.set(key, mine);
    try {
      return await mine;
    } finally {
      if (this.running.get(key) === mine) this.running.delete(key);
    }
  }

  private async decide(key: string, fingerprint: string, windowMs: number, run: () => Promise<SubmitResult>): Promise<SubmitResult> {
    const previous = await this.kv.get<Remembered>(key);
    if (previous && previous.fingerprint === fingerprint) return { ...previous.result, retransmission: true };
    const result = await run();
    if (result.status === 'accepted') {
      // The message is stored either way: failing to remember it only weakens duplicate detection.
      await this.kv.set<Remembered>(key, { fingerprint, result }, windowMs).catch((error: unknown) => {
        this.log.warn({ err: error, messageId: result.messageId }, 'could not remember the submission for retransmission detection');
      });
    }
    return previous ? { ...result, reusedKey: true } : result;
  }
}

/** What makes two submissions the same message: sender, recipients, subject and content. */
export function fingerprintOf(message: MmsMessage): string {
  const h = message.headers;
  const hash = createHash('sha256');
  const field = (value: string) => hash.update(`${value.length}:${value};`);
  field(addressKey(h.from));
  for (const list of [h.to, h.cc, h.bcc]) {
    field(String(list.length));
    for (const a of list) field(addressKey(a));
  }
  field(h.subject?.text ?? '');
  field(h.contentType.type);
  for (const part of message.parts) {
    field(part.contentType.type);
    field(part.contentId ?? '');
    field(part.contentLocation ?? '');
    field(String(part.data.byteLength));
    hash.update(part.data);
  }
  return hash.digest('base64url');
}
