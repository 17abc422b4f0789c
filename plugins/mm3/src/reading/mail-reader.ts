import { ThreadPool, movable, revivedBuffers, siblingModule } from '@openmmsc/core';
import { readMail, type MailOutcome, type ReadingOptions } from './mail-reading.js';

/** Below this a mail is read on the event loop: the hand-over would cost about what it saves. */
export const OFF_THREAD_MIN_BYTES = 64 * 1024;

const THREAD_MODULE = siblingModule(import.meta.url, 'mail-thread');

/**
 * Reads inbound mail (MIME twice: strictly, then with mailparser; base64; the conversion to MMS
 * parts) on threads of their own, not on the event loop that answers handsets: a mail of several
 * megabytes takes it tens of milliseconds. The mail's memory moves to the thread (the SMTP
 * listener receives each into memory of its own): after `read` the caller must not read `raw`.
 */
export class MailReader {
  readonly #pool: ThreadPool<{ raw: Uint8Array; options: ReadingOptions }, MailOutcome> | undefined;

  private constructor(
    private readonly options: ReadingOptions,
    pool: ThreadPool<{ raw: Uint8Array; options: ReadingOptions }, MailOutcome> | undefined,
  ) {
    this.#pool = pool;
  }

  /** With `threads` 0, every mail is read on the event loop. */
  static async start(options: ReadingOptions, threads: number): Promise<MailReader> {
    return new MailReader({ inbound: options.inbound }, threads > 0 ? await ThreadPool.start(THREAD_MODULE, { size: threads, name: 'MM3 reading' }) : undefined);
  }

  /** Throws ThreadStoppedError if its thread died. */
  async read(raw: Buffer): Promise<MailOutcome> {
    if (!this.#pool || raw.length < OFF_THREAD_MIN_BYTES) return readMail(raw, this.options);
    // The SMTP listener gives each mail memory of its own (ReceivedMail.raw): it moves.
    const own = movable(raw, true);
    return revivedBuffers(await this.#pool.run({ raw: own, options: this.options }, [own.buffer as ArrayBuffer]));
  }

  async close(): Promise<void> {
    await this.#pool?.close();
  }
}
