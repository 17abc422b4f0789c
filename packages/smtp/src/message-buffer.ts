import { BodyBuffer } from '@openmmsc/core';

/**
 * The DATA of one message, gathered into a Buffer of its own. When the client declared the size
 * (`MAIL FROM:<…> SIZE=n`, RFC 1870) the chunks go into one buffer as they arrive (core's
 * `BodyBuffer`: for a large message its pages are mapped on the thread pool ahead of the bytes,
 * so the event loop neither joins a 7 MB message at the end — 20 ms in one go on a machine where
 * fresh pages are dear — nor takes its page faults). Without a size, or past it (SIZE is the
 * client's estimate), the chunks are joined at the end. Beyond `limit` bytes the rest is only
 * counted: an oversize message must not fill the memory.
 */
export class MessageBuffer {
  readonly #limit: number;
  readonly #whole: BodyBuffer | undefined;
  /** What came without a declared size, or past it. */
  readonly #rest: Buffer[] = [];
  #kept = 0;

  constructor(limit: number, declared: number | undefined) {
    this.#limit = limit;
    if (declared !== undefined && Number.isSafeInteger(declared) && declared > 0 && declared <= limit) this.#whole = new BodyBuffer(declared);
  }

  add(chunk: Buffer): void {
    const room = this.#limit - this.#kept;
    if (room <= 0) return;
    const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (!(this.#rest.length === 0 && this.#whole?.add(piece))) this.#rest.push(piece);
    this.#kept += piece.length;
  }

  /** The message (its first `limit` bytes), in memory no other Buffer uses. */
  content(): Promise<Buffer> {
    const whole = this.#whole;
    if (!whole) return Promise.resolve(Buffer.concat(this.#rest, this.#kept));
    return new Promise((resolve) => whole.whenCopied((head) => resolve(this.#rest.length === 0 ? head : Buffer.concat([head, ...this.#rest], this.#kept))));
  }
}
