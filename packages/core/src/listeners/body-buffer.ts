/**
 * One buffer for a body of declared length, each chunk copied in as it arrives, so that a large
 * body is never joined in one go at its end (a 10 MB join is one ≈ 25 ms task on this VM, where
 * the first write to a fresh page is a page fault; copied chunk by chunk, those faults are spread
 * over the body's arrival). The memory is taken when the first chunk arrives, not when the
 * length is declared: a client that declares 10 MB and sends nothing holds none of it.
 *
 * Tried and dropped (2026-12-07): mapping a large body's pages on libuv's thread pool ahead of the
 * bytes, by as many again as had arrived (`crypto.randomFill`, the one call that writes into a
 * given range of a Buffer there; a kernel-side write such as a read from /dev/zero leaves the
 * pages to fault again in user space). It took the faults off the event loop for the first large
 * bodies of a process, but once the allocator reuses freed memory there are no faults left to
 * take, and writing every byte on the pool cost more than it saved: 9.7 MB m-send-req, 28 sends,
 * mean 57–69 ms against 52–55 ms without (bench/adapt's README).
 */
export interface BodyBufferOptions {
  /**
   * The chunks are the body's own: nothing else reads their memory or writes to it again (Node's
   * HTTP parser copies each piece of a body out of the socket's read into memory of its own). A
   * first chunk that is the whole body then becomes the body as it is, neither allocated for nor
   * copied. Without it every chunk is copied, so the body never shares memory with its source (a
   * stream that hands on views into its own reads, such as an SMTP server's DATA).
   */
  ownChunks?: boolean;
}

export class BodyBuffer {
  readonly #length: number;
  readonly #ownChunks: boolean;
  /** Allocated at the first chunk that is not kept as the body itself. */
  #body: Buffer | undefined;
  #received = 0;

  constructor(length: number, options: BodyBufferOptions = {}) {
    this.#length = length;
    this.#ownChunks = options.ownChunks ?? false;
  }

  get received(): number {
    return this.#received;
  }

  /** The next chunk of the body; `false` (and nothing kept) when it would run past the declared length. */
  add(chunk: Uint8Array): boolean {
    if (this.#received + chunk.length > this.#length) return false;
    if (this.#ownChunks && this.#received === 0 && chunk.length === this.#length && chunk.length > 0) {
      this.#body = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    } else {
      this.#body ??= Buffer.allocUnsafe(this.#length);
      this.#body.set(chunk, this.#received);
    }
    this.#received += chunk.length;
    return true;
  }

  /** The body as received so far: all of it once `received` equals `length`. */
  content(): Buffer {
    if (!this.#body) return Buffer.alloc(0);
    return this.#received === this.#body.length ? this.#body : this.#body.subarray(0, this.#received);
  }
}
