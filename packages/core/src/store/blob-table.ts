import type { MmsPart } from '../model/message.js';

/**
 * A blob's bytes as pieces to be stored one after another: a backend that can write them as they
 * are (a file) does not copy a 10 MB body into a new buffer first; others join them (`joined`).
 */
export type BlobPieces = readonly Uint8Array[];

export function joined(pieces: BlobPieces): Buffer {
  return pieces.length === 1 ? Buffer.from(pieces[0]!.buffer, pieces[0]!.byteOffset, pieces[0]!.byteLength) : Buffer.concat(pieces);
}

/**
 * Joins pieces for a driver that copies what it is bound before the call returns (better-sqlite3
 * binds a blob with SQLITE_TRANSIENT): into one buffer used again for every write, instead of
 * memory of its own for each body, a copy that lives microseconds but is allocated, faulted in
 * and collected every time. What `join` returns is valid only until its next call.
 */
export class ReusedJoin {
  #buffer = Buffer.alloc(0);

  /** Blobs larger than `maxBytes` are joined into memory of their own, not kept for reuse. */
  constructor(private readonly maxBytes: number) {}

  join(pieces: BlobPieces): Buffer {
    if (pieces.length === 1) return joined(pieces);
    const n = byteLength(pieces);
    if (n > this.maxBytes) return Buffer.concat(pieces, n);
    if (this.#buffer.length < n) this.#buffer = Buffer.allocUnsafeSlow(Math.min(this.maxBytes, Math.max(n, 2 * this.#buffer.length)));
    let at = 0;
    for (const p of pieces) {
      this.#buffer.set(p, at);
      at += p.byteLength;
    }
    return this.#buffer.subarray(0, n);
  }
}

export function byteLength(pieces: BlobPieces): number {
  let n = 0;
  for (const p of pieces) n += p.byteLength;
  return n;
}

/** One blob to store. */
export interface BlobEntry {
  key: string;
  value: BlobPieces;
  /**
   * Keep it in the table whatever its size, never in a file of its own (`store.bodyFilesAbove`):
   * for bodies read on a hot path and bounded in size, which a thread-pool hop would queue behind
   * other file work (an adapted variant, read on every retrieval while adaptations write files).
   */
  inline?: boolean;
}

/** Binary values by key, for backends that store bytes better than JSON text (SQLite BLOBs). */
export interface BlobTable {
  set(entries: readonly BlobEntry[]): Promise<void>;
  get(keys: readonly string[]): Promise<Array<Buffer | undefined>>;
  delete(keys: readonly string[]): Promise<void>;
}

/** A part as one blob: 4-byte length, the part's JSON headers with the body's length, then the body as is (not copied). */
export function encodePartBlob(part: MmsPart): BlobPieces {
  const { data, ...headers } = part;
  const meta = JSON.stringify({ ...headers, [BODY_BYTES]: data.byteLength });
  const head = Buffer.allocUnsafe(4 + Buffer.byteLength(meta));
  head.writeUInt32BE(head.length - 4, 0);
  head.write(meta, 4);
  return [head, data];
}

/** Where a part blob records its body's length, so that a cut one (a file truncated on disk) is refused, not served. */
const BODY_BYTES = 'bodyBytes';

export function decodePartBlob(blob: Buffer, key: string): MmsPart {
  const metaLength = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (metaLength < 0 || 4 + metaLength > blob.length) throw new Error(`part ${key} is damaged: ${blob.length} bytes, not a stored part`);
  const { [BODY_BYTES]: bytes, ...headers } = JSON.parse(blob.toString('utf8', 4, 4 + metaLength)) as Omit<MmsPart, 'data'> & { [BODY_BYTES]?: number };
  const data = blob.subarray(4 + metaLength);
  // Parts stored before the length was recorded have none to check.
  if (bytes !== undefined && data.byteLength !== bytes) throw new Error(`part ${key} is damaged: ${data.byteLength} of its ${bytes} body bytes`);
  return { ...headers, data };
}
