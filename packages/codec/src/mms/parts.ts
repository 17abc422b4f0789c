import { decodeQuotedPrintable } from '@openmmsc/mime';
import { decodeCharset } from '../wsp/charsets.js';
import { decodeText } from '../wsp/text.js';
import type { WspPart } from '../wsp/multipart.js';
import type { MmsPdu } from './types.js';

/**
 * The part's content after any Content-Transfer-Encoding some senders add (base64,
 * quoted-printable). Without one, returns `part.data` itself (no copy).
 */
export function partContent(part: WspPart): Uint8Array {
  const cte = part.headers.contentTransferEncoding?.trim().toLowerCase();
  if (!cte || cte === '7bit' || cte === '8bit' || cte === 'binary') return part.data;
  const b = Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength);
  if (cte === 'base64') return Buffer.from(b.toString('latin1'), 'base64');
  if (cte === 'quoted-printable') return decodeQuotedPrintable(b);
  return part.data;
}

/** The part as text: transfer encoding undone, then decoded with its charset parameter (UTF-8 by default). */
export function partText(part: WspPart): string {
  const data = partContent(part);
  const cs = part.contentType.params.charset;
  if (!cs || cs === 'utf-8' || cs === 'us-ascii') {
    const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return decodeText(b, 0, b.length);
  }
  return decodeCharset(data, cs);
}

/**
 * The start part of a multipart/related body: the one whose Content-ID matches the `start`
 * parameter (both kept bare by the decoder), else the first part.
 */
export function startPart(pdu: MmsPdu): WspPart | undefined {
  const body = pdu.body;
  if (!body?.parts || body.parts.length === 0) return undefined;
  const start = body.contentType.params.start;
  const hit = start ? body.parts.find((p) => p.headers.contentId === start) : undefined;
  return hit ?? body.parts[0];
}
