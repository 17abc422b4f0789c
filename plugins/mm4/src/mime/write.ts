/** Writes MMS as MIME: part bytes survive exactly, Content-IDs in `<…>`, headers as given. */
import { randomBytes } from 'node:crypto';
import type { ContentType, MmsPart } from '@openmmsc/core';
import { formatParams, mimeMultipartType } from './content-type.js';
import { bareId, encodeWords, type HeaderList } from './headers.js';

function wrap76(text: string): string {
  return text.replace(/.{1,76}/g, '$&\r\n');
}

function isSafe7bit(data: Uint8Array): boolean {
  let lineLength = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === 0x0d) {
      if (data[i + 1] !== 0x0a) return false;
      continue;
    }
    if (b === 0x0a) {
      if (data[i - 1] !== 0x0d) return false;
      lineLength = 0;
      continue;
    }
    if (b >= 0x80 || b === 0 || (b < 0x20 && b !== 0x09)) return false;
    if (++lineLength > 76) return false;
  }
  // A body line starting with "--" might look like a boundary; base64 avoids any doubt.
  return !/(^|\n)--/.test(Buffer.from(data).toString('latin1'));
}

/** Serialises one part (headers + body, CRLF). Bytes survive exactly: anything not plain 7-bit is base64. */
export function writePart(part: MmsPart): Buffer {
  const lines: string[] = [`Content-Type: ${formatParams(part.contentType.type, part.contentType.params)}`];
  if (part.contentId) lines.push(`Content-ID: <${bareId(part.contentId)}>`);
  if (part.contentLocation) lines.push(`Content-Location: ${encodeWords(part.contentLocation)}`);
  if (part.contentDisposition) lines.push(`Content-Disposition: ${part.contentDisposition}`);
  const seven = isSafe7bit(part.data);
  lines.push(`Content-Transfer-Encoding: ${seven ? '7bit' : 'base64'}`);
  const body = seven ? Buffer.from(part.data).toString('latin1') : wrap76(Buffer.from(part.data).toString('base64'));
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

export function newBoundary(): string {
  return `=_mm4_${randomBytes(12).toString('hex')}`;
}

/** Writes a message: the given headers, then the parts as a multipart (or a single body). */
export function writeMail(headers: HeaderList, content: { contentType: ContentType; parts: readonly MmsPart[] } | { text: string }): Buffer {
  const head = headers.map(([k, v]) => `${k}: ${v}`);
  head.push('MIME-Version: 1.0');
  if ('text' in content) {
    head.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
    return Buffer.from(`${head.join('\r\n')}\r\n\r\n${content.text.replace(/\r?\n/g, '\r\n')}\r\n`, 'utf8');
  }
  const type = mimeMultipartType(content.contentType.type);
  if (!type.startsWith('multipart/') && content.parts.length === 1) {
    const single = writePart(content.parts[0]!);
    return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n`, 'latin1'), single, Buffer.from('\r\n')]);
  }
  const boundary = newBoundary();
  const multipart = type.startsWith('multipart/') ? type : 'multipart/mixed';
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(content.contentType.params)) if (k !== 'boundary') params[k] = v;
  // The root named by `start` is written as `<id>`, as its part's Content-ID is.
  if (params.start) params.start = `<${bareId(params.start)}>`;
  params.boundary = boundary;
  head.push(`Content-Type: ${formatParams(multipart, params)}`);
  const chunks: Buffer[] = [Buffer.from(`${head.join('\r\n')}\r\n\r\nThis is a multimedia message in MIME format.\r\n`, 'latin1')];
  for (const part of content.parts) {
    chunks.push(Buffer.from(`\r\n--${boundary}\r\n`, 'latin1'), writePart(part));
  }
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}
