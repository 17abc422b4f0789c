import type { MmsPart } from '@openmmsc/core';

/** The text of all text/plain parts, decoded as UTF-8 (enough for an example). */
export function plainText(parts: readonly MmsPart[]): string {
  return parts
    .filter((p) => p.contentType.type === 'text/plain')
    .map((p) => Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString('utf8'))
    .join('\n');
}
