// GSM 03.38 default alphabet (unpacked septets, one per octet, as SMPP carries data_coding 0).
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION: Record<number, string> = { 0x0a: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|', 0x65: '€' };

/** Decodes unpacked GSM 7-bit default-alphabet text (one septet per octet). */
export function decodeGsm7(data: Uint8Array): string {
  let out = '';
  for (let i = 0; i < data.length; i++) {
    const c = data[i]! & 0x7f;
    if (c === 0x1b && i + 1 < data.length) {
      const next = data[++i]! & 0x7f;
      out += EXTENSION[next] ?? BASIC[next] ?? '';
      continue;
    }
    out += BASIC[c] ?? '';
  }
  return out;
}

/** Decodes SMS user data by its data coding scheme: GSM 7-bit, Latin-1 (3), UCS-2, or 8-bit shown as Latin-1. */
export function decodeSmsText(data: Uint8Array, dataCoding: number): string {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let alphabet: 'gsm' | 'latin1' | 'ucs2';
  if (dataCoding === 0 || dataCoding === 1) alphabet = 'gsm';
  else if (dataCoding === 3) alphabet = 'latin1';
  else if (dataCoding === 8) alphabet = 'ucs2';
  else if ((dataCoding & 0xf0) === 0xf0) alphabet = dataCoding & 0x04 ? 'latin1' : 'gsm';
  else if ((dataCoding & 0xc0) === 0) alphabet = (dataCoding & 0x0c) === 0 ? 'gsm' : (dataCoding & 0x0c) === 0x08 ? 'ucs2' : 'latin1';
  else alphabet = 'latin1';
  if (alphabet === 'gsm') return decodeGsm7(buf);
  if (alphabet === 'ucs2') {
    const swapped = Buffer.from(buf);
    if (swapped.length % 2 === 0) swapped.swap16();
    return swapped.toString('utf16le');
  }
  return buf.toString('latin1');
}
