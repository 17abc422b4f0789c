/**
 * Byte arrays in a value that crosses between threads. Structured cloning copies each buffer and
 * turns a Buffer into a plain Uint8Array; these find the buffers to move instead and give the
 * arrays their Buffer type back. Values are walked through arrays and plain objects only.
 */

function walk(value: unknown, seen: Set<object>, visit: (bytes: Uint8Array, holder: Record<PropertyKey, unknown> | unknown[], key: PropertyKey) => void): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => (item instanceof Uint8Array ? visit(item, value, i) : walk(item, seen, visit)));
    return;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return;
  const record = value as Record<PropertyKey, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (item instanceof Uint8Array) visit(item, record, key);
    else walk(item, seen, visit);
  }
}

/**
 * The memory behind the byte arrays in `value`, to transfer rather than copy. Arrays of a few KB
 * or less may share Node's pool slab with unrelated Buffers: those are left to be copied.
 */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  walk(value, new Set(), (bytes) => {
    if (bytes.buffer instanceof ArrayBuffer && bytes.buffer.byteLength > Buffer.poolSize) found.add(bytes.buffer);
  });
  return [...found];
}

/** The byte arrays in a value that crossed threads made Buffers again (in place, no copy). */
export function revivedBuffers<T>(value: T): T {
  walk(value, new Set(), (bytes, holder, key) => {
    if (!Buffer.isBuffer(bytes)) (holder as Record<PropertyKey, unknown>)[key] = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  });
  return value;
}

/**
 * Bytes to move to a thread: these, when their memory is theirs alone (`owned`, which the caller
 * knows: the whole allocation goes, so whatever else lies in it must be the caller's to give up
 * too) and not Node's shared pool slab; else a copy in memory of its own (not zeroed first:
 * every byte is written).
 */
export function movable(bytes: Buffer, owned: boolean): Buffer {
  if (owned && bytes.buffer instanceof ArrayBuffer && bytes.buffer.byteLength > Buffer.poolSize) return bytes;
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}
