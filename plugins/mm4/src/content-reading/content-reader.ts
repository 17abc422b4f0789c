import { ThreadPool, movable, siblingModule } from '@openmmsc/core';
import { parseContent, type MailHead, type MimeLimits, type ParsedMail } from '../mime.js';
import { revivedContent, type ContentOutcome, type ContentRequest } from './content-outcome.js';

/**
 * Below this a message is read on the event loop: handing it to a thread and back costs about
 * what reading a small message does.
 */
export const OFF_THREAD_MIN_BYTES = 64 * 1024;

const THREAD_MODULE = siblingModule(import.meta.url, 'content-thread');

/**
 * Reads the MIME content of inbound MM4 messages (parts, base64) on threads of their own: a
 * 7 MB message takes 50–60 ms to read, which the event loop that answers handsets should not
 * spend. The message's memory moves to the thread and back (the SMTP listener receives each
 * message into memory of its own); after `read` the caller must not read `head.body` again.
 */
export class ContentReader {
  readonly #pool: ThreadPool<ContentRequest, ContentOutcome> | undefined;

  private constructor(pool: ThreadPool<ContentRequest, ContentOutcome> | undefined) {
    this.#pool = pool;
  }

  /** With `threads` 0, every message is read on the event loop. */
  static async start(threads: number): Promise<ContentReader> {
    return new ContentReader(threads > 0 ? await ThreadPool.start<ContentRequest, ContentOutcome>(THREAD_MODULE, { size: threads, name: 'MM4 reading' }) : undefined);
  }

  /** Throws MimeError for a structure that does not hold, ThreadStoppedError if its thread died. */
  async read(head: MailHead, limits: MimeLimits): Promise<ParsedMail> {
    if (!this.#pool || head.body.length < OFF_THREAD_MIN_BYTES) return parseContent(head, limits);
    // The SMTP listener gives each message memory of its own (ReceivedMail.raw): it moves.
    const body = movable(head.body, true);
    const outcome = await this.#pool.run({ head: { ...head, body }, limits }, [body.buffer as ArrayBuffer]);
    return revivedContent(outcome);
  }

  async close(): Promise<void> {
    await this.#pool?.close();
  }
}
