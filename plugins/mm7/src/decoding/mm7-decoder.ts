import { ThreadPool, ThreadStoppedError, movable, siblingModule } from '@openmmsc/core';
import { decodeMm7, salvageHints, type DecodeLimits, type DecodedMm7, type RequestHints } from '@openmmsc/mm7';
import { reviveOutcome, toDecodeRequest, type DecodeOutcome, type DecodeRequest } from './decode-outcome.js';
import { isOwned } from './owned-bodies.js';

/**
 * Below this a request is decoded on the event loop: handing it to a thread and back costs the
 * loop about what decoding a small envelope does.
 */
export const OFF_THREAD_MIN_BYTES = 16 * 1024;

const THREAD_MODULE = siblingModule(import.meta.url, 'decode-thread');

/** How much of a moved body's start is kept to name the request should its thread be lost. */
const HEAD_KEPT_BYTES = 16 * 1024;

/**
 * A request whose decoding thread was lost (it was not read): with the TransactionID and release
 * its fault can name, found in what is left here of the body, or in a copy of its head when the
 * body itself had moved to the thread.
 */
export class DecodingThreadLost extends ThreadStoppedError {
  constructor(
    cause: ThreadStoppedError,
    readonly hints: RequestHints,
  ) {
    super(cause.message);
    this.name = 'DecodingThreadLost';
  }
}

/**
 * Reads MM7 requests (SOAP, MIME, base64) on threads of their own, so the event loop that
 * answers VASPs spends its time on the requests, not on parsing their bytes. The body moves to
 * the thread: after `decode` the caller must not read it (the decoded content points into it).
 */
export class Mm7Decoder {
  readonly #limits: DecodeLimits;
  readonly #pool: ThreadPool<DecodeRequest, DecodeOutcome> | undefined;

  private constructor(limits: DecodeLimits, pool: ThreadPool<DecodeRequest, DecodeOutcome> | undefined) {
    this.#limits = limits;
    this.#pool = pool;
  }

  /** With `threads` 0, every request is decoded on the event loop. */
  static async start(limits: DecodeLimits, threads: number): Promise<Mm7Decoder> {
    const pool = threads > 0 ? await ThreadPool.start<DecodeRequest, DecodeOutcome>(THREAD_MODULE, { size: threads, name: 'MM7 decoding' }) : undefined;
    return new Mm7Decoder(limits, pool);
  }

  /** Throws Mm7DecodeError for a request that cannot be read, DecodingThreadLost if its thread died. */
  async decode(contentType: string | undefined, body: Buffer): Promise<DecodedMm7> {
    if (!this.#pool || body.length < OFF_THREAD_MIN_BYTES) return decodeMm7(contentType, body, this.#limits);
    // A body in memory of its own (gathered from several chunks) moves; one that is a single
    // socket read shares Node's memory.
    const own = movable(body, isOwned(body));
    // Only a body that moves is gone from here should its thread be lost.
    const left = own === body ? Buffer.from(body.subarray(0, HEAD_KEPT_BYTES)) : body;
    try {
      return reviveOutcome(await this.#pool.run(toDecodeRequest(contentType, own, this.#limits), [own.buffer as ArrayBuffer]));
    } catch (error) {
      if (error instanceof ThreadStoppedError) throw new DecodingThreadLost(error, salvageHints(left));
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#pool?.close();
  }
}
