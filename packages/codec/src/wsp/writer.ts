import { WspEncodeError } from '../errors.js';

/**
 * Bodies shorter than this are copied next to the header bytes rather than passed on as a chunk
 * of their own: copying a few hundred bytes costs less than one more Buffer view and one more
 * entry in the socket's write vector.
 */
export const INLINE_BODY_BYTES = 1024;

/** An encoded PDU as chunks, in order, and their total length. */
export interface EncodedChunks {
  /** Header bytes in fresh buffers and part bodies as the very arrays they were given as (not copied). */
  chunks: Uint8Array[];
  /** Sum of the chunks' lengths (the PDU's size, e.g. for Content-Length). */
  length: number;
}

/**
 * Growing writer for headers. Bodies are not copied into the scratch area: they are recorded as
 * segments (the scratch offset they follow, and the array) and either copied once into the single
 * output buffer made by `finish()`, or handed out as they are by `finishChunks()`.
 */
export class Writer {
  buf: Buffer;
  pos = 0;
  /** Scratch offset of each recorded body, and the body itself (parallel arrays: no object per body). */
  private segAt: number[] = [];
  private segData: Uint8Array[] = [];
  private segBytes = 0;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  reset(): void {
    this.pos = 0;
    this.dropSegments();
  }

  /** Forgets the recorded bodies (the writer is reused: it must not keep the caller's arrays alive). */
  private dropSegments(): void {
    this.segAt.length = 0;
    this.segData.length = 0;
    this.segBytes = 0;
  }

  /** Logical length written so far (scratch + bodies). */
  get length(): number {
    return this.pos + this.segBytes;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  u8(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  u8x2(a: number, b: number): void {
    if (this.pos + 2 > this.buf.length) this.ensure(2);
    this.buf[this.pos++] = a;
    this.buf[this.pos++] = b;
  }

  bytes(u: Uint8Array): void {
    this.ensure(u.length);
    this.buf.set(u, this.pos);
    this.pos += u.length;
  }

  /** A body: recorded, copied once by finish() or passed on by finishChunks(). Small bodies are copied at once. */
  body(u: Uint8Array): void {
    if (u.length < INLINE_BODY_BYTES) {
      this.bytes(u);
      return;
    }
    this.segAt.push(this.pos);
    this.segData.push(u);
    this.segBytes += u.length;
  }

  /** Appends what another writer holds: its header bytes are copied, its bodies recorded as they are. */
  append(other: Writer): void {
    const base = this.pos;
    this.ensure(other.pos);
    other.buf.copy(this.buf, base, 0, other.pos);
    this.pos += other.pos;
    for (let i = 0; i < other.segAt.length; i++) {
      this.segAt.push(base + other.segAt[i]!);
      this.segData.push(other.segData[i]!);
    }
    this.segBytes += other.segBytes;
  }

  uintvar(v: number): void {
    if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v))) throw new WspEncodeError('', `uintvar out of range: ${v}`);
    this.ensure(5);
    const buf = this.buf;
    // Shifts are exact here: v fits in 32 bits unsigned (>>> keeps it unsigned).
    if (v >= 0x10000000) buf[this.pos++] = 0x80 | (v >>> 28);
    if (v >= 0x200000) buf[this.pos++] = 0x80 | ((v >>> 21) & 0x7f);
    if (v >= 0x4000) buf[this.pos++] = 0x80 | ((v >>> 14) & 0x7f);
    if (v >= 0x80) buf[this.pos++] = 0x80 | ((v >>> 7) & 0x7f);
    buf[this.pos++] = v & 0x7f;
  }

  shortInteger(v: number): void {
    if (!(v >= 0 && v <= 0x7f && Number.isInteger(v))) throw new WspEncodeError('', `short-integer out of range: ${v}`);
    this.u8(v | 0x80);
  }

  /** Long-integer: Short-length + big-endian octets (at least one). */
  longInteger(v: number): void {
    if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v))) {
      throw new WspEncodeError('', `long-integer out of range: ${v}`);
    }
    this.ensure(8);
    const buf = this.buf;
    if (v <= 0xffffffff) {
      // The common case (dates, sizes): shifts instead of floating-point division.
      const n = v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x1000000 ? 3 : 4;
      buf[this.pos++] = n;
      for (let s = (n - 1) * 8; s >= 0; s -= 8) buf[this.pos++] = (v >>> s) & 0xff;
      return;
    }
    let n = 5;
    while (n < 7 && v >= 256 ** n) n++;
    buf[this.pos++] = n;
    for (let i = n - 1; i >= 0; i--) buf[this.pos++] = Math.floor(v / 256 ** i) & 0xff;
  }

  integerValue(v: number): void {
    if (v >= 0 && v < 0x80 && Number.isInteger(v)) this.u8(v | 0x80);
    else this.longInteger(v);
  }

  /** Raw text bytes, UTF-8 (ASCII fast path), no terminator. NUL cannot be written inside a text. */
  raw(s: string): void {
    const n = s.length;
    this.ensure(n * 3 + 1);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80 || c === 0) {
        if (s.indexOf('\0', i) >= 0) throw new WspEncodeError('', 'text contains a NUL character');
        this.pos = p + buf.utf8Write(s.slice(i), p);
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /**
   * Text-string: quote (0x7F) if the first octet would be >= 0x80 (as the spec says) or a control
   * character (which a reader would take for a value length), then text and NUL.
   */
  textString(s: string): void {
    if (s.length > 0) {
      const c = s.charCodeAt(0);
      if (c >= 0x7f || c < 0x20) this.u8(0x7f);
    }
    this.raw(s);
    this.u8(0);
  }

  /** Token-text / Extension-media: text and NUL (no quote). */
  token(s: string): void {
    this.raw(s);
    this.u8(0);
  }

  /**
   * Text-value where the reader takes a leading 0x22 for the quote of a Quoted-string: text that
   * itself starts with `"` is written as a Quoted-string so that the reader keeps its quote.
   */
  textValue(s: string): void {
    if (s.charCodeAt(0) === 0x22) this.quotedString(s);
    else this.textString(s);
  }

  /** Quoted-string: 0x22, text, NUL. */
  quotedString(s: string): void {
    this.u8(0x22);
    this.raw(s);
    this.u8(0);
  }

  /** Starts a Value-length-prefixed value; returns a mark for endLength(). */
  beginLength(): number {
    this.u8(0);
    return this.pos;
  }

  /** Ends a Value-length-prefixed value begun at mark: writes the length, moving the value if needed. */
  endLength(mark: number): void {
    const len = this.pos - mark;
    if (len <= 30) {
      this.buf[mark - 1] = len;
      return;
    }
    // Length-quote + uintvar: shift the value right to make room.
    let n = 1;
    for (let t = len; t >= 0x80; t = Math.floor(t / 128)) n++;
    this.ensure(n + 1);
    this.buf.copyWithin(mark + n, mark, this.pos);
    const save = this.pos + n;
    this.pos = mark - 1;
    this.u8(31);
    this.uintvar(len);
    this.pos = save;
  }

  /**
   * The output as chunks without copying the bodies: the header bytes are copied once into one new
   * Buffer (sliced between bodies), the bodies are the caller's own arrays. For vectored writes
   * (`socket.cork()` + writes, `writev`).
   */
  finishChunks(): EncodedChunks {
    const pos = this.pos;
    const length = pos + this.segBytes;
    const head = Buffer.allocUnsafe(pos);
    this.buf.copy(head, 0, 0, pos);
    const at = this.segAt;
    const data = this.segData;
    const chunks: Uint8Array[] = [];
    let src = 0;
    for (let i = 0; i < at.length; i++) {
      const a = at[i]!;
      if (a > src) chunks.push(head.subarray(src, a));
      src = a;
      chunks.push(data[i]!);
    }
    if (pos > src || chunks.length === 0) chunks.push(src === 0 ? head : head.subarray(src, pos));
    this.dropSegments();
    return { chunks, length };
  }

  /** Copies scratch and bodies into one new Buffer of exactly the right size. */
  finish(): Buffer {
    const pos = this.pos;
    const out = Buffer.allocUnsafe(pos + this.segBytes);
    const at = this.segAt;
    const data = this.segData;
    let src = 0;
    let dst = 0;
    for (let i = 0; i < at.length; i++) {
      const a = at[i]!;
      if (a > src) {
        this.buf.copy(out, dst, src, a);
        dst += a - src;
        src = a;
      }
      out.set(data[i]!, dst);
      dst += data[i]!.length;
    }
    if (pos > src) this.buf.copy(out, dst, src, pos);
    this.dropSegments();
    return out;
  }
}
