/**
 * MIME for MM4, on @openmmsc/mime: a strict reader that keeps an MMS's part structure (a
 * structure cut short is a `MimeError`, answered 554 5.6.0), and a writer whose part bytes
 * survive exactly. Bounded: header size, part count and nesting depth.
 */
import type { ContentType, MmsPart } from '@openmmsc/core';
import { DEFAULT_LIMITS, parseBody, parseHead as readHead, SINGLE_HEADERS, writeMessage, type HeaderList, type MessageContent, type MimeLimits } from '@openmmsc/mime';

/** RFC 5322's once-only headers, and the MM4 ones that identify a transaction. */
const MM4_SINGLE = [...SINGLE_HEADERS, 'x-mms-message-type', 'x-mms-transaction-id', 'x-mms-message-id'];

/** The header block of a message and the body bytes after it. */
export interface MailHead {
  headers: HeaderList;
  body: Buffer;
  bareLf: boolean;
  /** Deviations read past (duplicate headers, 8-bit header bytes, bare LF line ends). */
  warnings: string[];
}

export interface ParsedMail {
  headers: HeaderList;
  contentType: ContentType;
  /** Leaf parts in order (nested multiparts flattened); Content-IDs bare (`id`). A non-multipart body is one part. */
  parts: MmsPart[];
  warnings: string[];
}

/** Reads the header block only: enough to know what a message is and whom to answer. */
export function parseHead(raw: Buffer, limits: MimeLimits = DEFAULT_LIMITS): MailHead {
  const warnings: string[] = [];
  const head = readHead(raw, { limits, single: MM4_SINGLE, warn: (_kind, message) => warnings.push(message) });
  return { ...head, warnings };
}

/** Reads the body a head announces; throws `MimeError` for a structure that does not hold. */
export function parseContent(head: MailHead, limits: MimeLimits = DEFAULT_LIMITS): ParsedMail {
  const warnings = [...head.warnings];
  const { entity, parts } = parseBody(head, { limits, warn: (_kind, message) => warnings.push(message) });
  // @openmmsc/mime reads Content-IDs bare, the form the kernel keeps them in.
  return { headers: head.headers, contentType: entity.contentType, parts, warnings };
}

/** Parses a whole RFC 5322 message; throws `MimeError` for what cannot be read. */
export function parseMail(raw: Buffer, limits: MimeLimits = DEFAULT_LIMITS): ParsedMail {
  return parseContent(parseHead(raw, limits), limits);
}

/** Writes a message: the given headers, then the parts as a multipart (or a single body, or text). */
export function writeMail(headers: HeaderList, content: MessageContent): Buffer {
  return writeMessage(headers, content, 'mm4');
}

export { MimeError, bareId, decodeWords, encodeWords, header, headerAll, wapMultipartType, type HeaderList, type MimeLimits } from '@openmmsc/mime';
