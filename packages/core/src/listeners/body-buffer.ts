import { randomFill } from 'node:crypto';

/** Pages are touched a segment at a time, each segment one job on libuv's thread pool. */
const SEGMENT = 256 * 1024;
/** The most touched ahead of the bytes that have arrived, once many have. */
const AHEAD = 4 << 20;
/** Below this a body is copied in as it comes: its page faults are too few to be worth a job. */
export const TOUCH_ABOVE = 2 << 20;

/**
 * One buffer for a body of declared length, filled as its chunks arrive, in order.
 *
 * The first write to a fresh page costs a page fault, and on a virtual machine that is dear: a
 * 10 MB body copied into new memory costs the event loop ≈ 25 ms of faults, against 0.5 ms for
 * the same copy into memory already mapped. So for a large body the pages are touched on libuv's
 * thread pool ahead of the bytes that have arrived (by as many again, at most 4 MiB: a client
 * that declares 20 MB and sends nothing commits nothing), and a chunk is copied in once the pages
 * under it are mapped; until then it waits, in arrival order. `randomFill` is the touch: it is the platform's
 * one call that writes into a given range of a Buffer on the thread pool (a read from /dev/zero
 * can leave the kernel's shared zero page mapped, and the copy then faults after all).
 */
export class BodyBuffer {
  readonly #body: Buffer;
  /** Segment i's pages are mapped. */
  readonly #mapped: Uint8Array;
  #launched = 0;
  /** Bytes from the start whose pages are mapped. */
  #ready: number;
  readonly #waiting: Buffer[] = [];
  #received = 0;
  #copied = 0;
  #onCopied: ((body: Buffer) => void) | undefined;

  constructor(length: number, touchAbove = TOUCH_ABOVE) {
    const touch = length >= touchAbove;
    this.#body = Buffer.allocUnsafe(length);
    this.#mapped = new Uint8Array(touch ? Math.ceil(length / SEGMENT) : 0);
    this.#ready = touch ? 0 : length;
    this.#launch();
  }

  get length(): number {
    return this.#body.length;
  }

  get received(): number {
    return this.#received;
  }

  /** Bytes whose pages are mapped or being mapped (for tests: never far past `received`). */
  get touched(): number {
    return Math.min(this.#body.length, this.#launched * SEGMENT);
  }

  /** The next chunk of the body; `false` (and nothing kept) when it would run past the declared length. */
  add(chunk: Uint8Array): boolean {
    if (this.#received + chunk.length > this.#body.length) return false;
    this.#received += chunk.length;
    if (this.#waiting.length === 0 && this.#copied + chunk.length <= this.#ready) {
      this.#body.set(chunk, this.#copied);
      this.#copied += chunk.length;
    } else this.#waiting.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.#launch();
    return true;
  }

  /** Calls back with the body once every byte added so far is in it (at once when nothing waits). */
  whenCopied(callback: (body: Buffer) => void): void {
    this.#onCopied = callback;
    this.#settle();
  }

  #launch(): void {
    // Ahead by as much as has arrived, up to `AHEAD`: a client that declares 20 MB and sends a
    // byte commits one segment, never more than twice what it sent (plus a segment).
    const target = Math.min(this.#body.length, this.#received + Math.min(this.#received, AHEAD));
    const want = Math.min(this.#mapped.length, Math.ceil(target / SEGMENT));
    for (; this.#launched < want; this.#launched++) {
      const i = this.#launched;
      const start = i * SEGMENT;
      // A failed touch only means the copy takes the faults itself.
      randomFill(this.#body, start, Math.min(SEGMENT, this.#body.length - start), () => this.#mappedSegment(i));
    }
  }

  #mappedSegment(i: number): void {
    this.#mapped[i] = 1;
    while (this.#ready < this.#body.length && this.#mapped[Math.floor(this.#ready / SEGMENT)] === 1) {
      this.#ready = Math.min(this.#body.length, this.#ready + SEGMENT);
    }
    this.#flush();
    this.#settle();
  }

  #flush(): void {
    while (this.#waiting.length > 0 && this.#copied + this.#waiting[0]!.length <= this.#ready) {
      const chunk = this.#waiting.shift()!;
      chunk.copy(this.#body, this.#copied);
      this.#copied += chunk.length;
    }
  }

  #settle(): void {
    if (!this.#onCopied || this.#copied < this.#received) return;
    const callback = this.#onCopied;
    this.#onCopied = undefined;
    callback(this.#copied === this.#body.length ? this.#body : this.#body.subarray(0, this.#copied));
  }
}
