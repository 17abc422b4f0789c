import type { MmsPart } from '../model/message.js';

/** Binary values by key, for backends that store bytes better than JSON text (SQLite BLOBs). */
export interface BlobTable {
  set(entries: ReadonlyArray<{ key: string; value: Buffer }>): Promise<void>;
  get(keys: readonly string[]): Promise<Array<Buffer | undefined>>;
  delete(keys: readonly string[]): Promise<void>;
}

/** A part as one blob: 4-byte length, the part's JSON headers, then the body as is. */
export function encodePartBlob(part: MmsPart): Buffer {
  const { data, ...headers } = part;
  const meta = Buffer.from(JSON.stringify(headers));
  const out = Buffer.allocUnsafe(4 + meta.length + data.byteLength);
  out.writeUInt32BE(meta.length, 0);
  meta.copy(out, 4);
  out.set(data, 4 + meta.length);
  return out;
}

export function decodePartBlob(blob: Buffer): MmsPart {
  const metaLength = blob.readUInt32BE(0);
  const headers = JSON.parse(blob.toString('utf8', 4, 4 + metaLength)) as Omit<MmsPart, 'data'>;
  return { ...headers, data: blob.subarray(4 + metaLength) };
}
