/** STI's SOAP-with-attachments bodies, read and written with @openmmsc/mime. */
import { bareId, decodeTransferEncoding, header, headerRecord, newBoundary as mimeBoundary, parseContentType, splitEntity, splitMultipart } from '@openmmsc/mime';

/** One MIME body part: headers (lower-case names) and bytes (transfer encoding undone). */
export interface MimePart {
  headers: Record<string, string>;
  body: Buffer;
}

/** Reads a parameter (`boundary`, `start`, `type`) from a Content-Type value. */
export function contentTypeParam(value: string, name: string): string | undefined {
  return parseContentType(value, 'application/octet-stream', false).params[name.toLowerCase()];
}

export const newBoundary = (): string => mimeBoundary('mm11');

export { buildMultipart } from '@openmmsc/mime';

/** Splits a multipart body strictly (cut short is a `MimeError`); at most `maxParts` parts. */
export function parseMultipart(body: Buffer, boundary: string, maxParts = 200): MimePart[] {
  const limits = { maxParts, maxDepth: 1, maxHeaderBytes: 16 * 1024 };
  return splitMultipart(body, boundary, { limits }).map((piece) => {
    const part = splitEntity(piece, limits);
    return { headers: headerRecord(part.headers), body: decodeTransferEncoding(part.body, header(part.headers, 'content-transfer-encoding')) };
  });
}

/** `cid:x`, `<x>` → `x`. */
export const stripCid = (s: string): string => bareId(s.trim().replace(/^cid:/i, ''));
