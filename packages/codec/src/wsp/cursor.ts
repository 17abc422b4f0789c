import { WspDecodeError } from '../errors.js';
import { decodeText } from './text.js';

/**
 * A read cursor over a Buffer: the primitive value encodings of WAP-230-WSP section 8.4.2.
 * No per-byte allocation; strings are made once per value.
 */
export class Cursor {
  readonly buf: Buffer;
  pos: number;
  end: number;
  /**
   * Where the data stops: running into this bound means the input was cut short (`truncated`).
   * A cursor over a value whose length was declared inside complete data sets it to Infinity, so
   * that overrunning it is a `length-mismatch` instead.
   */
  readonly dataEnd: number;

  constructor(buf: Buffer, pos = 0, end = buf.length, dataEnd = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.dataEnd = dataEnd;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(reason: ConstructorParameters<typeof WspDecodeError>[0], detail?: string, at = this.pos): never {
    throw new WspDecodeError(reason, at, detail);
  }

  /**
   * A read or a declared length goes past the current bound: `truncated` when that bound is the
   * end of the input (the data was cut short), `length-mismatch` when it is an enclosing length
   * inside the input (the value is inconsistent, the input may well be complete).
   */
  overrun(detail: string, at = this.pos): never {
    return this.fail(this.end >= this.dataEnd ? 'truncated' : 'length-mismatch', detail, at);
  }

  peek(): number {
    if (this.pos >= this.end) this.overrun('expected a value');
    return this.buf[this.pos]!;
  }

  u8(): number {
    if (this.pos >= this.end) this.overrun('expected an octet');
    return this.buf[this.pos++]!;
  }

  /** Uintvar (variable length unsigned integer, at most 5 octets, 32 bits). */
  uintvar(): number {
    const buf = this.buf;
    let v = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) this.overrun('uintvar cut short', this.pos - i);
      const b = buf[this.pos++]!;
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) {
        if (v > 0xffffffff) this.fail('invalid-uintvar', 'uintvar exceeds 32 bits', this.pos - i - 1);
        return v;
      }
    }
    return this.fail('invalid-uintvar', 'uintvar longer than 5 octets', this.pos - 5);
  }

  /**
   * Value-length = Short-length (0..30) | Length-quote (31) Uintvar. Checks that the value fits
   * in the current bounds and returns its length.
   */
  valueLength(): number {
    const at = this.pos;
    const b = this.u8();
    let len: number;
    if (b < 31) len = b;
    else if (b === 31) len = this.uintvar();
    else return this.fail('invalid-value', `expected a value-length, got 0x${b.toString(16)}`, at);
    if (len > this.end - this.pos) this.overrun(`value-length ${len} runs past the end (${this.end - this.pos} octets left)`, at);
    return len;
  }

  /**
   * Reads a Value-length and narrows the bounds to that value, so that reads inside it cannot run
   * past it. Returns the enclosing bound, which `leaveValue` restores; the value's own end is
   * `end` meanwhile (nothing is allocated: this is on every structured header's path).
   */
  enterValue(): number {
    const len = this.valueLength();
    const outer = this.end;
    this.end = this.pos + len;
    return outer;
  }

  /** Steps past the rest of the value `enterValue` opened and restores the enclosing bound. */
  leaveValue(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  /** Short-integer: one octet with the top bit set; returns the 7-bit value. */
  shortInteger(): number {
    const at = this.pos;
    const b = this.u8();
    if ((b & 0x80) === 0) this.fail('invalid-value', `expected a short-integer, got 0x${b.toString(16)}`, at);
    return b & 0x7f;
  }

  /** Multi-octet integer of n octets (big-endian), exact up to 2^53. */
  multiOctet(n: number): number {
    const at = this.pos;
    if (n > this.end - this.pos) this.overrun(`${n}-octet integer runs past the end`, at);
    const buf = this.buf;
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + buf[this.pos++]!;
    if (v > Number.MAX_SAFE_INTEGER) this.fail('integer-overflow', `${n}-octet integer too large`, at);
    return v;
  }

  /** Long-integer = Short-length Multi-octet-integer. */
  longInteger(): number {
    const at = this.pos;
    const n = this.u8();
    if (n > 30) this.fail('invalid-value', `expected a long-integer, got 0x${n.toString(16)}`, at);
    if (n === 0) this.fail('invalid-value', 'long-integer of zero octets', at);
    return this.multiOctet(n);
  }

  /** Integer-value = Short-integer | Long-integer. */
  integerValue(): number {
    const b = this.peek();
    if (b & 0x80) {
      this.pos++;
      return b & 0x7f;
    }
    return this.longInteger();
  }

  /** Position of the NUL that ends a string starting at pos (fails if there is none). */
  private nul(): number {
    const buf = this.buf;
    const end = this.end;
    // Header strings are short: a plain loop beats a native indexOf call for them.
    for (let i = this.pos, lim = Math.min(end, this.pos + 64); i < lim; i++) if (buf[i] === 0) return i;
    const i = buf.indexOf(0, this.pos);
    if (i >= 0 && i < end) return i;
    // Cut at the end of the input: truncated; inside an enclosing length: a malformed value.
    if (end >= this.dataEnd) this.fail('truncated', 'text-string without its NUL terminator at the end of the data');
    return this.fail('unterminated-string', 'missing NUL terminator');
  }

  /**
   * Text-string = [Quote] *TEXT End-of-string (a leading 0x7F quote is dropped). Also serves
   * Token-text, Extension-media, Uri-value and Text-value's text branch.
   */
  textString(): string {
    const buf = this.buf;
    let start = this.pos;
    if (buf[start] === 0x7f) start++;
    // One pass over short strings: find the NUL and check for ASCII.
    const lim = Math.min(this.end, start + 64);
    for (let i = start; i < lim; i++) {
      const b = buf[i]!;
      if (b === 0) {
        this.pos = i + 1;
        return i === start ? '' : buf.latin1Slice(start, i);
      }
      if (b >= 0x80) break;
    }
    const z = this.nul();
    this.pos = z + 1;
    return decodeText(buf, start, z);
  }

  /** Quoted-string = <Octet 34> *TEXT End-of-string; returns the text without the quote. */
  quotedOrText(): string {
    if (this.buf[this.pos] !== 0x22) return this.textString();
    // The quote of a Quoted-string is not part of the value; a 0x7F after it is text, not the
    // quote of a Text-string (Android's decoder reads it so too).
    this.pos++;
    const [s, e] = this.rawString();
    return decodeText(this.buf, s, e);
  }

  /** Raw bytes of a NUL-terminated string (without the NUL). */
  rawString(): [number, number] {
    const start = this.pos;
    const z = this.nul();
    this.pos = z + 1;
    return [start, z];
  }

  /** Skips one WSP header value in any of its forms (for unknown headers). Returns [start, end). */
  skipValue(): [number, number] {
    const start = this.pos;
    const b = this.peek();
    if (b >= 0x80) this.pos++;
    else if (b <= 30) {
      this.pos++;
      if (b > this.end - this.pos) this.overrun(`value length ${b} runs past the end`, start);
      this.pos += b;
    } else if (b === 31) {
      const len = this.valueLength();
      this.pos += len;
    } else {
      this.pos = this.nul() + 1;
    }
    return [start, this.pos];
  }

  view(start: number, end: number): Buffer {
    return this.buf.subarray(start, end);
  }
}

/** Wraps any Uint8Array as a Buffer without copying. */
export function asBuffer(u: Uint8Array): Buffer {
  if (Buffer.isBuffer(u)) return u;
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
