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
    // Taken now, before the stages may change the message; its bodies hashed when first needed.
    const fingerprint = new Fingerprint(message);
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

  private async decide(key: string, fingerprint: Fingerprint, windowMs: number, run: () => Promise<SubmitResult>): Promise<SubmitResult> {
    const previous = await this.kv.get<Remembered>(key);
    if (previous && previous.fingerprint === fingerprint.value()) return { ...previous.result, retransmission: true };
    const running = run();
    // A first submission's bodies are hashed while it is being stored: a 10 MB message's hash
    // (≈ 6 ms here) then overlaps the writing of its bodies on the thread pool instead of adding
    // to the sender's wait. By the next turn `run` has reached its first wait for I/O.
    setImmediate(() => fingerprint.value());
    const result = await running;
    if (result.status === 'accepted') {
      // The message is stored either way: failing to remember it only weakens duplicate detection.
      await this.kv.set<Remembered>(key, { fingerprint: fingerprint.value(), result }, windowMs).catch((error: unknown) => {
        this.log.warn({ err: error, messageId: result.messageId }, 'could not remember the submission for retransmission detection');
      });
    }
    return previous ? { ...result, reusedKey: true } : result;
  }
}

/**
 * What makes two submissions the same message: sender, recipients, subject and content. Taken in
 * two steps: the headers and the list of parts when constructed (the submission stages may change
 * the message later), the part bodies, the costly part, at the first call of `value`.
 */
class Fingerprint {
  readonly #hash = createHash('sha256');
  readonly #parts: ReadonlyArray<readonly [string, string, string, Uint8Array]>;
  #value: string | undefined;

  constructor(message: MmsMessage) {
    const h = message.headers;
    this.#field(addressKey(h.from));
    for (const list of [h.to, h.cc, h.bcc]) {
      this.#field(String(list.length));
      for (const a of list) this.#field(addressKey(a));
    }
    this.#field(h.subject?.text ?? '');
    this.#field(h.contentType.type);
    this.#parts = message.parts.map((part) => [part.contentType.type, part.contentId ?? '', part.contentLocation ?? '', part.data] as const);
  }

  value(): string {
    if (this.#value !== undefined) return this.#value;
    for (const [type, id, location, data] of this.#parts) {
      this.#field(type);
      this.#field(id);
      this.#field(location);
      this.#field(String(data.byteLength));
      this.#hash.update(data);
    }
    this.#value = this.#hash.digest('base64url');
    return this.#value;
  }

  #field(value: string): void {
    this.#hash.update(`${value.length}:${value};`);
  }
}
