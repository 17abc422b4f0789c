/**
 * Request bodies that own their memory (joined from chunks, nothing else points into them), which
 * can therefore be handed to a decoding thread instead of copied. A body that is one socket chunk
 * shares its memory with Node's reads and is copied.
 */
const owned = new WeakSet<Buffer>();

export function markOwned(body: Buffer): Buffer {
  owned.add(body);
  return body;
}

export function isOwned(body: Buffer): boolean {
  return owned.has(body) && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
}
