/**
 * Mail written by hand, as a peer's mailer would put it on the wire: header lines, then a
 * multipart/mixed of parts given as their own header lines and body text. Not built with the MIME
 * code the MMSC reads it with.
 */

/** One part: its header lines and its body as it travels (already transfer-encoded). */
export interface RawPart {
  headers: string[];
  body: string;
}

const BOUNDARY = 'raw-mail-boundary-1';

/** base64 in lines of 76 characters, CRLF between them. */
export function base64Lines(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/.{76}/g, '$&\r\n');
}

/** A message: `headers` (without MIME-Version and Content-Type), then the parts as a multipart/mixed. */
export function rawMail(headers: string[], parts: RawPart[]): string {
  const lines = [...headers, 'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`, ''];
  for (const p of parts) lines.push(`--${BOUNDARY}`, ...p.headers, '', p.body);
  lines.push(`--${BOUNDARY}--`, '');
  return lines.join('\r\n');
}
