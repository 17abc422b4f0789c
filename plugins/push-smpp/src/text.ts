import { buildUdh } from '@openmmsc/codec';

/**
 * Text SMS: GSM 03.38 default alphabet (SMPP data_coding 0, one septet per octet as SMPP carries
 * it; the SMSC packs) or UCS-2 (data_coding 0x08, UTF-16BE), split into concatenated segments with
 * a UDH when one SMS does not hold it.
 */

// GSM 03.38 default alphabet, code points 0x00..0x7F.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
// Extension table (after the 0x1B escape).
const GSM_EXT: ReadonlyArray<[string, number]> = [
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
];

const BASIC = new Map<string, number>();
for (let i = 0; i < GSM_BASIC.length; i++) if (i !== 0x1b) BASIC.set(GSM_BASIC[i]!, i);
const EXT = new Map<string, number>(GSM_EXT);
const EXT_REVERSE = new Map<number, string>(GSM_EXT.map(([c, v]) => [v, c]));

/** The septets of `text` in the GSM default alphabet (escape sequences for the extension table), or undefined if a character has no GSM code. */
export function encodeGsm7(text: string): number[][] | undefined {
  const chars: number[][] = [];
  for (const ch of text) {
    const b = BASIC.get(ch);
    if (b !== undefined) chars.push([b]);
    else {
      const e = EXT.get(ch);
      if (e === undefined) return undefined;
      chars.push([0x1b, e]);
    }
  }
  return chars;
}

/** Decodes unpacked GSM septets (one per octet) to text. */
export function decodeGsm7(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]! & 0x7f;
    if (b === 0x1b && i + 1 < bytes.length) {
      const next = bytes[++i]! & 0x7f;
      out += EXT_REVERSE.get(next) ?? ' ';
    } else out += GSM_BASIC[b] ?? ' ';
  }
  return out;
}

export type TextCoding = 'auto' | 'gsm7' | 'ucs2';

export interface TextSegments {
  dataCoding: number;
  /** short_message of each submit_sm (UDH first when there are several). */
  segments: Buffer[];
  /** esm_class: 0x40 (UDHI) when concatenated, else 0. */
  esmClass: number;
}

/**
 * Encodes and splits a text. `gsm7` replaces characters outside the GSM alphabet by `?`;
 * `auto` uses GSM when every character fits, else UCS-2.
 */
export function segmentText(text: string, coding: TextCoding, reference: number, reference16bit: boolean): TextSegments {
  let gsm = coding === 'ucs2' ? undefined : encodeGsm7(text);
  if (!gsm && coding === 'gsm7') gsm = [...text].map((ch) => encodeGsm7(ch)?.[0] ?? [0x3f]);
  const udhLen = reference16bit ? 7 : 6;
  if (gsm) {
    const total = gsm.reduce((n, c) => n + c.length, 0);
    if (total <= 160) return { dataCoding: 0x00, esmClass: 0, segments: [Buffer.from(gsm.flat())] };
    // The UDH takes ceil(udhLen * 8 / 7) septets: 7 (8-bit reference) or 8 (16-bit).
    const room = 160 - Math.ceil((udhLen * 8) / 7);
    return concat(split(gsm, room), 0x00, reference, reference16bit);
  }
  const units: number[][] = [];
  for (const ch of text) {
    const b = Buffer.from(ch, 'utf16le').swap16();
    units.push([...b]); // a surrogate pair stays together
  }
  const octets = units.reduce((n, c) => n + c.length, 0);
  if (octets <= 140) return { dataCoding: 0x08, esmClass: 0, segments: [Buffer.from(units.flat())] };
  return concat(split(units, 140 - udhLen), 0x08, reference, reference16bit);
}

function split(chars: number[][], room: number): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  for (const c of chars) {
    if (cur.length + c.length > room) {
      out.push(cur);
      cur = [];
    }
    cur.push(...c);
  }
  if (cur.length) out.push(cur);
  return out;
}

function concat(chunks: number[][], dataCoding: number, reference: number, reference16bit: boolean): TextSegments {
  if (chunks.length > 255) throw new Error(`text needs ${chunks.length} SMS; at most 255`);
  const segments = chunks.map((chunk, i) =>
    Buffer.concat([buildUdh({ concat: { reference, total: chunks.length, sequence: i + 1, reference16bit } }), Buffer.from(chunk)]),
  );
  return { dataCoding, esmClass: 0x40, segments };
}
