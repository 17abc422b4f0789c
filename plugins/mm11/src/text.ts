import iconv from 'iconv-lite';

/** Canonical charset name for comparing: `UTF8` → `utf-8`, `latin1` → `iso-8859-1`. */
export function canonicalCharset(name: string): string {
  const n = name.trim().toLowerCase().replace(/^"|"$/g, '');
  const map: Record<string, string> = {
    utf8: 'utf-8',
    'utf-16': 'utf-16',
    ucs2: 'utf-16le',
    'iso-10646-ucs-2': 'utf-16be',
    latin1: 'iso-8859-1',
    'iso_8859-1': 'iso-8859-1',
    'iso8859-1': 'iso-8859-1',
    ascii: 'us-ascii',
    'ansi_x3.4-1968': 'us-ascii',
  };
  return map[n] ?? n;
}

export function decodeText(data: Uint8Array, charset: string | undefined): string {
  const cs = canonicalCharset(charset ?? 'utf-8');
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (cs === 'utf-8' || cs === 'us-ascii') return buf.toString('utf8');
  if (!iconv.encodingExists(cs)) return buf.toString('utf8');
  return iconv.decode(buf, cs);
}

function encodeIn(text: string, charset: string): Buffer | undefined {
  const cs = canonicalCharset(charset);
  if (cs === 'utf-8') return Buffer.from(text, 'utf8');
  if (cs === 'us-ascii') return /^[\x00-\x7f]*$/.test(text) ? Buffer.from(text, 'latin1') : undefined;
  if (!iconv.encodingExists(cs)) return undefined;
  const out = iconv.encode(text, cs);
  // A charset that cannot hold every character turns it into '?': refuse it.
  return iconv.decode(out, cs) === text ? out : undefined;
}

export interface TextOutcome {
  data: Buffer;
  charset: string;
  changed: boolean;
  lossy: boolean;
}

/**
 * Re-encodes text in the first charset of `charsets` that can hold all of it; when none can,
 * in the first one with replacement characters (`lossy`). No list, or the text's own charset
 * is on it: unchanged.
 */
export function convertText(data: Uint8Array, charset: string | undefined, charsets: readonly string[] | undefined): TextOutcome {
  const current = canonicalCharset(charset ?? 'utf-8');
  const wanted = (charsets ?? []).map(canonicalCharset).filter((c) => c !== '*');
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (wanted.length === 0 || wanted.includes(current) || (current === 'us-ascii' && wanted.includes('utf-8'))) {
    return { data: buf, charset: charset ?? 'utf-8', changed: false, lossy: false };
  }
  const text = decodeText(data, current);
  for (const cs of wanted) {
    const out = encodeIn(text, cs);
    if (out) return { data: out, charset: cs, changed: true, lossy: false };
  }
  const first = wanted.find((c) => c === 'utf-8' || c === 'us-ascii' || iconv.encodingExists(c)) ?? 'utf-8';
  const out = first === 'us-ascii' ? Buffer.from(text.replace(/[^\x00-\x7f]/g, '?'), 'latin1') : first === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, first);
  return { data: out, charset: first, changed: true, lossy: true };
}

/** Encodes a notice we write ourselves in a charset the recipient reads. */
export function encodeNotice(text: string, charsets: readonly string[] | undefined): { data: Buffer; charset: string } {
  const r = convertText(Buffer.from(text, 'utf8'), 'utf-8', charsets);
  return { data: r.data, charset: r.charset };
}
