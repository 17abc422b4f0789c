import type { EncodedChunks } from '@openmmsc/codec';

/**
 * A reply to an HTTP request: status, content type and body, independent of the HTTP framework.
 * A body given as chunks (an encoded PDU whose part bodies are the stored ones) is written as it
 * is, never joined into one buffer.
 */
export interface HttpAnswer {
  status: number;
  contentType?: string;
  body?: Buffer | string | EncodedChunks;
  headers?: Record<string, string>;
}

/** Bytes [start, end) of chunks, as views of them (nothing copied). */
export function sliceChunks(full: EncodedChunks, start: number, end: number): EncodedChunks {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const c of full.chunks) {
    const from = Math.max(start - at, 0);
    const to = Math.min(end - at, c.length);
    if (to > from) chunks.push(from === 0 && to === c.length ? c : c.subarray(from, to));
    at += c.length;
    if (at >= end) break;
  }
  return { chunks, length: Math.max(0, end - start) };
}

/** Every PDU MM1 answers with, error or not, goes out as this type. */
export const PDU_TYPE = 'application/vnd.wap.mms-message';

/** A short plain-text answer (for requests that are not about a PDU). */
export function textAnswer(status: number, text: string): HttpAnswer {
  return { status, contentType: 'text/plain; charset=utf-8', body: `${text}\n` };
}

/** A single `bytes=` range of a buffer or of chunks (RFC 9110), or the whole of it. */
export function sliceRange(full: Buffer | EncodedChunks, range: string | undefined): HttpAnswer {
  const base: Record<string, string> = { 'accept-ranges': 'bytes' };
  if (!range) return { status: 200, body: full, headers: base };
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { status: 200, body: full, headers: base };
  const size = full.length;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return { status: 416, headers: { ...base, 'content-range': `bytes */${size}` } };
  const body = full instanceof Uint8Array ? full.subarray(start, end + 1) : sliceChunks(full, start, end + 1);
  return { status: 206, body, headers: { ...base, 'content-range': `bytes ${start}-${end}/${size}` } };
}

/** True when a (possibly ranged) answer delivered the last byte of `size`. */
export function reachedEnd(answer: HttpAnswer, size: number): boolean {
  return answer.status === 200 || (answer.status === 206 && !!answer.headers?.['content-range']?.endsWith(`-${size - 1}/${size}`));
}
