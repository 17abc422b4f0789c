import { isUtf8 } from 'node:buffer';

/**
 * Decodes bytes that the spec calls "TEXT" (US-ASCII) but that real handsets fill with UTF-8
 * (and sometimes Latin-1): ASCII fast path, then UTF-8 if the bytes are valid UTF-8, else Latin-1.
 */
export function decodeText(buf: Buffer, start: number, end: number): string {
  if (end <= start) return '';
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) return decodeNonAscii(buf, start, end);
  }
  // latin1Slice is the cheapest way to make a short one-byte string in V8.
  return buf.latin1Slice(start, end);
}

function decodeNonAscii(buf: Buffer, start: number, end: number): string {
  if (isUtf8(buf.subarray(start, end))) return buf.utf8Slice(start, end);
  return buf.latin1Slice(start, end);
}

/** True when every UTF-16 code unit is below 0x80. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Byte length of `s` written as UTF-8 (what the writer uses for TEXT). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  }
  return n;
}

declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    utf8Slice(start: number, end: number): string;
    latin1Write(s: string, offset: number, length?: number): number;
    utf8Write(s: string, offset: number, length?: number): number;
  }
}
