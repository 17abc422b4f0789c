/** The header block of an RFC 5322 message, read before (or without) its body. */
import { MimeError, type MimeWarningSink } from './errors.js';
import { headerAll, type HeaderList } from './headers.js';
import { DEFAULT_LIMITS, type ReadOptions } from './limits.js';
import { splitEntity } from './multipart.js';

/** Headers RFC 5322 §3.6 allows at most once. */
export const SINGLE_HEADERS: readonly string[] = ['date', 'from', 'sender', 'to', 'cc', 'subject', 'message-id', 'content-type', 'mime-version'];

export interface HeadOptions extends ReadOptions {
  /** Headers that may appear once (lower case); default `SINGLE_HEADERS`. */
  single?: readonly string[];
}

/** The header block of a message and the body bytes after it. */
export interface MessageHead {
  headers: HeaderList;
  body: Buffer;
}

/**
 * Reads the header block only: enough to know what a message is and whom to answer. A message
 * without headers is a `MimeError`; repeated single headers, raw 8-bit header bytes and bare LF
 * line ends are read past and reported.
 */
export function parseHead(raw: Buffer, options: HeadOptions = {}): MessageHead {
  const { headers, body } = splitEntity(raw, options.limits ?? DEFAULT_LIMITS, options.strict ?? true);
  if (headers.length === 0) throw new MimeError('no-headers', 'message has no headers');
  const warn: MimeWarningSink = options.warn ?? (() => {});
  for (const name of options.single ?? SINGLE_HEADERS) {
    const n = headerAll(headers, name).length;
    if (n > 1) warn('duplicate-header', `${n} ${name} headers; the first is used`);
  }
  const eightBit = headers.find(([, v]) => /[^\x00-\x7f]/.test(v));
  if (eightBit) warn('eight-bit-header', `raw 8-bit bytes in the ${eightBit[0]} header (read as UTF-8)`);
  if (/(^|[^\r])\n/.test(raw.toString('latin1'))) warn('bare-lf', 'bare LF line endings');
  return { headers, body };
}
