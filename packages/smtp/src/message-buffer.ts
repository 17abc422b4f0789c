import { BodyBuffer } from '@openmmsc/core';

/**
 * The DATA of one message, gathered into a Buffer of its own. When the client declared the size
 * (`MAIL FROM:<…> SIZE=n`, RFC 1870) each chunk is copied into one buffer as it arrives (core's
 * `BodyBuffer`): the memory is touched a piece at a time, not in one copy of the whole message at
 * the end (a 7 MB message: 20 ms of the event loop in one go on a machine where fresh pages are
 * dear). Without a size, or past it (SIZE is the client's estimate), the chunks are joined at the
 * end. Beyond `limit` bytes the rest is only counted: an oversize message must not fill the memory.
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
    // Into the declared size's buffer while it has room; past it (SIZE underestimated), the rest.
    const inWhole = this.#rest.length === 0 && this.#whole?.add(piece) === true;
    if (!inWhole) this.#rest.push(piece);
    this.#kept += piece.length;
  }

  /** The message (its first `limit` bytes), in memory no other Buffer uses. */
  content(): Buffer {
    const head = this.#whole?.content();
    if (!head) return Buffer.concat(this.#rest, this.#kept);
    return this.#rest.length === 0 ? head : Buffer.concat([head, ...this.#rest], this.#kept);
  }
}
