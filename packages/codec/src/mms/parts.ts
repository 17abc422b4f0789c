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

function decodeQuotedPrintable(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  let o = 0;
  const hex = (c: number): number =>
    c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 55 : c >= 0x61 && c <= 0x66 ? c - 87 : -1;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    // soft line break
    if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) {
      i += 2;
      continue;
    }
    if (b[i + 1] === 0x0a) {
      i += 1;
      continue;
    }
    const h = hex(b[i + 1] ?? 0);
    const l = hex(b[i + 2] ?? 0);
    if (h >= 0 && l >= 0) {
      out[o++] = (h << 4) | l;
      i += 2;
    } else out[o++] = c;
  }
  return out.subarray(0, o);
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
 * parameter (with or without angle brackets), else the first part.
 */
export function startPart(pdu: MmsPdu): WspPart | undefined {
  const body = pdu.body;
  if (!body?.parts || body.parts.length === 0) return undefined;
  const start = body.contentType.params.start;
  if (start) {
    const bare = start.replace(/^<(.*)>$/, '$1');
    const hit = body.parts.find((p) => {
      const id = p.headers.contentId;
      return id !== undefined && (id === start || id.replace(/^<(.*)>$/, '$1') === bare);
    });
    if (hit) return hit;
  }
  return body.parts[0];
}
