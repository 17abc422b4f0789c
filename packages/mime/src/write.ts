/** Writes parts and messages: part bytes survive exactly, Content-IDs as `<id>`, headers as given. */
import { formatContentType, mimeMultipartType, type ContentType } from './content-type.js';
import { encodeWords, wireId, type HeaderList } from './headers.js';
import type { MimeLeaf } from './leaves.js';
import { buildMultipart, newBoundary, writeHeaders, type OutPart } from './multipart.js';
import { base64Lines, isSafe7bit } from './transfer-encoding.js';

/**
 * How a part's body travels. `safe`: 7bit when it can, else base64 (what SMTP wants). `binary` /
 * `base64`: text parts as 8bit, others raw or base64 (what HTTP carries).
 */
export type PartEncoding = 'safe' | 'binary' | 'base64';

function isText(ct: ContentType): boolean {
  return ct.type.startsWith('text/') || ct.type === 'application/smil' || ct.type.endsWith('+xml');
}

/** A leaf part's header fields and encoded body. */
export function leafToPart(part: MimeLeaf, encoding: PartEncoding = 'safe'): OutPart {
  const headers: HeaderList = [['Content-Type', formatContentType(part.contentType)]];
  if (part.contentId) headers.push(['Content-ID', wireId(part.contentId)]);
  if (part.contentLocation) headers.push(['Content-Location', encodeWords(part.contentLocation)]);
  if (part.contentDisposition) headers.push(['Content-Disposition', part.contentDisposition]);
  if (encoding === 'safe') {
    const seven = isSafe7bit(part.data);
    headers.push(['Content-Transfer-Encoding', seven ? '7bit' : 'base64']);
    return { headers, body: seven ? Buffer.from(part.data) : base64Lines(part.data) };
  }
  if (!isText(part.contentType) && encoding === 'base64') {
    headers.push(['Content-Transfer-Encoding', 'base64']);
    return { headers, body: base64Lines(part.data) };
  }
  headers.push(['Content-Transfer-Encoding', isText(part.contentType) ? '8bit' : 'binary']);
  return { headers, body: part.data };
}

/** Serialises one part (headers, blank line, body; CRLF), 7bit or base64. */
export function writePart(part: MimeLeaf): Buffer {
  const out = leafToPart(part, 'safe');
  return Buffer.concat([Buffer.from(`${writeHeaders(out.headers)}\r\n`, 'latin1'), Buffer.from(out.body)]);
}

/** What a message carries: parts under a (multipart) content type, or plain text. */
export type MessageContent = { contentType: ContentType; parts: readonly MimeLeaf[] } | { text: string };

/**
 * Writes a message: the given headers, MIME-Version, then the content — plain text, a single
 * part, or the parts as a multipart (WAP multipart names become MIME ones; `start` as `<id>`).
 */
export function writeMessage(headers: HeaderList, content: MessageContent, boundaryTag = 'openmmsc'): Buffer {
  const head = headers.map(([k, v]) => `${k}: ${v}`);
  head.push('MIME-Version: 1.0');
  if ('text' in content) {
    head.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
    return Buffer.from(`${head.join('\r\n')}\r\n\r\n${content.text.replace(/\r?\n/g, '\r\n')}\r\n`, 'utf8');
  }
  const type = mimeMultipartType(content.contentType.type);
  if (!type.startsWith('multipart/') && content.parts.length === 1) {
    return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n`, 'latin1'), writePart(content.parts[0]!), Buffer.from('\r\n')]);
  }
  const boundary = newBoundary(boundaryTag);
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(content.contentType.params)) if (k !== 'boundary') params[k] = v;
  if (params.start) params.start = wireId(params.start);
  params.boundary = boundary;
  head.push(`Content-Type: ${formatContentType({ type: type.startsWith('multipart/') ? type : 'multipart/mixed', params })}`);
  const body = buildMultipart(
    content.parts.map((p) => leafToPart(p, 'safe')),
    boundary,
    'This is a multimedia message in MIME format.',
  );
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}
