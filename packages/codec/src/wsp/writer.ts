import { WspEncodeError } from '../errors.js';

interface Segment {
  at: number;
  data: Uint8Array;
}

/**
 * Growing writer for headers. Bodies are not copied into the scratch area: they are recorded as
 * segments and copied once, with `.set()`, into the single output buffer made by `finish()`.
 */
export class Writer {
  buf: Buffer;
  pos = 0;
  private segs: Segment[] = [];
  private segBytes = 0;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  reset(): void {
    this.pos = 0;
    this.segs.length = 0;
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

  /** A body: recorded, copied once by finish(). Small bodies are copied at once. */
  body(u: Uint8Array): void {
    if (u.length < 256) {
      this.bytes(u);
      return;
    }
    this.segs.push({ at: this.pos, data: u });
    this.segBytes += u.length;
  }

  uintvar(v: number): void {
    if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v))) throw new WspEncodeError('', `uintvar out of range: ${v}`);
    this.ensure(5);
    if (v < 0x80) {
      this.buf[this.pos++] = v;
      return;
    }
    let n = 1;
    for (let t = v; t >= 0x80; t = Math.floor(t / 128)) n++;
    for (let i = n - 1; i >= 0; i--) {
      const b = Math.floor(v / 128 ** i) & 0x7f;
      this.buf[this.pos++] = i > 0 ? b | 0x80 : b;
    }
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
    let n = 1;
    while (n < 7 && v >= 256 ** n) n++;
    this.ensure(n + 1);
    this.buf[this.pos++] = n;
    for (let i = n - 1; i >= 0; i--) this.buf[this.pos++] = Math.floor(v / 256 ** i) & 0xff;
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
   * The output as a list of chunks without copying the bodies: the header bytes are copied once
   * into one new Buffer (sliced between bodies), the bodies are the caller's own arrays. For
   * vectored writes (`socket.cork()` + writes, `writev`).
   */
  finishChunks(): Uint8Array[] {
    const head = Buffer.allocUnsafe(this.pos);
    this.buf.copy(head, 0, 0, this.pos);
    const out: Uint8Array[] = [];
    let src = 0;
    for (const s of this.segs) {
      if (s.at > src) out.push(head.subarray(src, s.at));
      src = s.at;
      out.push(s.data);
    }
    if (this.pos > src || out.length === 0) out.push(head.subarray(src, this.pos));
    this.segs.length = 0;
    this.segBytes = 0;
    return out;
  }

  /** Copies scratch and bodies into one new Buffer of exactly the right size. */
  finish(): Buffer {
    const total = this.pos + this.segBytes;
    const out = Buffer.allocUnsafe(total);
    const segs = this.segs;
    if (segs.length === 0) {
      this.buf.copy(out, 0, 0, this.pos);
      return out;
    }
    let src = 0;
    let dst = 0;
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]!;
      if (s.at > src) {
        this.buf.copy(out, dst, src, s.at);
        dst += s.at - src;
        src = s.at;
      }
      out.set(s.data, dst);
      dst += s.data.length;
    }
    if (this.pos > src) this.buf.copy(out, dst, src, this.pos);
    // Drop references to the caller's bodies.
    segs.length = 0;
    this.segBytes = 0;
    return out;
  }
}
