import { randomBytes } from 'node:crypto';

/** One MIME body part: headers (lower-case names) and bytes. */
export interface MimePart {
  headers: Record<string, string>;
  body: Buffer;
}

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

/** Reads a parameter (`boundary`, `start`, `type`) from a Content-Type value. */
export function contentTypeParam(value: string, name: string): string | undefined {
  const re = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i');
  const m = re.exec(value);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

export function newBoundary(): string {
  return `----=_mm11_${randomBytes(12).toString('hex')}`;
}

/** Writes parts as a MIME multipart body (binary, no transfer encoding). */
export function buildMultipart(parts: readonly MimePart[], boundary: string): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\n`;
    for (const [k, v] of Object.entries(p.headers)) head += `${k}: ${v}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'latin1'), p.body, Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}

/** Splits a multipart body; base64 and quoted-printable-free binary parts; at most `maxParts`. */
export function parseMultipart(body: Buffer, boundary: string, maxParts = 200): MimePart[] {
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  const parts: MimePart[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new MultipartError('boundary not found');
  for (;;) {
    pos += delim.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // closing delimiter
    // Skip transport padding up to the CRLF that ends the delimiter line.
    const lineEnd = body.indexOf('\r\n', pos, 'latin1');
    if (lineEnd < 0) throw new MultipartError('truncated multipart body');
    const headEnd = body.indexOf('\r\n\r\n', lineEnd, 'latin1');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n', 'latin1'), delim]), lineEnd);
    if (next < 0) throw new MultipartError('missing closing boundary');
    const headers: Record<string, string> = {};
    let bodyStart: number;
    if (headEnd >= 0 && headEnd < next) {
      const text = body.toString('latin1', lineEnd + 2, headEnd).replace(/\r\n[ \t]+/g, ' ');
      for (const line of text.split('\r\n')) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      bodyStart = headEnd + 4;
    } else bodyStart = lineEnd + 2;
    let data = body.subarray(bodyStart, next);
    if ((headers['content-transfer-encoding'] ?? '').toLowerCase() === 'base64') data = Buffer.from(data.toString('latin1'), 'base64');
    parts.push({ headers, body: data });
    if (parts.length > maxParts) throw new MultipartError(`more than ${maxParts} parts`);
    pos = next + 2;
  }
  return parts;
}

export const stripCid = (s: string): string => s.trim().replace(/^cid:/i, '').replace(/^<|>$/g, '');
