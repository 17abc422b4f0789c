/**
 * Request bodies that own their memory (nothing else points into it), which can therefore be
 * handed to a decoding thread instead of copied: those joined from chunks, and a body that is one
 * chunk of Node's HTTP parser, which copies each piece of body out of the socket's read into
 * memory of its own (node_http_parser.cc, `on_body`). `isOwned` checks the shape as well: a body
 * that is a view into a larger allocation is copied whatever it was marked.
 */
const owned = new WeakSet<Buffer>();

export function markOwned(body: Buffer): Buffer {
  owned.add(body);
  return body;
}

export function isOwned(body: Buffer): boolean {
  return owned.has(body) && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
}
