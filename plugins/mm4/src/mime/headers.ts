/** RFC 5322 header blocks and RFC 2047 encoded words. */
import { MimeError } from './limits.js';

export type HeaderList = Array<[name: string, value: string]>;

export function header(headers: HeaderList, name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === n) return v;
  return undefined;
}

export function headerAll(headers: HeaderList, name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

export function parseHeaderLines(text: string): HeaderList {
  const headers: HeaderList = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line)) {
      const last = headers[headers.length - 1];
      if (!last) throw new MimeError('header block starts with a continuation line');
      last[1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MimeError(`malformed header line: ${JSON.stringify(line.slice(0, 60))}`);
    const name = line.slice(0, colon).trim();
    if (!/^[!-9;-~]+$/.test(name)) throw new MimeError(`malformed header name: ${JSON.stringify(name.slice(0, 60))}`);
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  return headers;
}

/** Decodes RFC 2047 encoded words (`=?utf-8?B?…?=`); raw 8-bit header bytes are read as UTF-8. */
export function decodeWords(value: string): string {
  const raw = /[\x80-\xff]/.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value;
  return raw.replace(/=\?([^?*]+)(?:\*[^?]*)?\?([BbQq])\?([^?]*)\?=(\s+(?==\?))?/g, (_m, charset: string, enc: string, text: string) => {
    let bytes: Buffer;
    if (enc.toUpperCase() === 'B') bytes = Buffer.from(text, 'base64');
    else bytes = Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return decodeCharset(bytes, charset);
  });
}

export function decodeCharset(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset.toLowerCase() === 'utf8' ? 'utf-8' : charset).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/** Encodes a header value as RFC 2047 words when it is not plain ASCII. */
export function encodeWords(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(' ');
}

/** `<id@host>` → `id@host`. */
export function bareId(value: string): string {
  return value.trim().replace(/^<(.*)>$/, '$1').trim();
}
