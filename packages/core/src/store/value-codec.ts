/**
 * JSON text that keeps `Date` and byte arrays, used as keyv's serializer so every adapter
 * (SQLite TEXT column, Redis string) round-trips message headers and part bodies unchanged.
 * Tags are single-key objects whose key no MMS header or plugin value uses.
 */
const DATE_TAG = '$openmmsc:date';
const BYTES_TAG = '$openmmsc:b64';

/**
 * Tags dates and bytes before JSON.stringify sees them: a replacer would run after
 * `Buffer#toJSON` had already expanded a body into an array of numbers, which is slow.
 */
function tag(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return { [DATE_TAG]: value.getTime() };
  if (value instanceof Uint8Array) {
    return { [BYTES_TAG]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (Array.isArray(value)) return value.map(tag);
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = tag(v);
  }
  return out;
}

/** The inverse of `tag`, walked once after a plain JSON.parse (cheaper than a reviver per key). */
function untag(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = untag(value[i]);
    return value;
  }
  const obj = value as Record<string, unknown>;
  const bytes = obj[BYTES_TAG];
  if (typeof bytes === 'string') return Buffer.from(bytes, 'base64');
  const date = obj[DATE_TAG];
  if (typeof date === 'number') return new Date(date);
  for (const key in obj) obj[key] = untag(obj[key]);
  return obj;
}

export function encodeValue(value: unknown): string {
  return JSON.stringify(tag(value));
}

export function decodeValue<T>(text: string): T {
  return untag(JSON.parse(text)) as T;
}
