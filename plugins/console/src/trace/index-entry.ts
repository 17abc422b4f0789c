/** One submission as the search index keeps it: enough to filter without reading the message. */
export interface IndexEntry {
  id: string;
  /** Epoch ms the kernel received it. */
  at: number;
  /** Interface it came in on (`mm1`, `mm7`, …). */
  iface: string;
  from: string;
  to: string[];
  /** VASP id for MM7 submissions. */
  vasp?: string;
  subject?: string;
}

/** Entries are grouped by the minute they were received in. */
export const BUCKET_MS = 60_000;

export const bucketOf = (at: number): number => Math.floor(at / BUCKET_MS);
export const chunkCountKey = (bucket: number): string => `idx:${bucket}`;
export const chunkKey = (bucket: number, n: number): string => `idx:${bucket}:${n}`;
