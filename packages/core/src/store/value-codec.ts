/**
 * JSON text that keeps `Date` and byte arrays, used as keyv's serializer so every adapter
 * (SQLite TEXT column, Redis string) round-trips message headers and part bodies unchanged.
 * Tags are single-key objects whose key no MMS header or plugin value uses.
 */
const DATE_TAG = '$openmmsc:date';
const BYTES_TAG = '$openmmsc:b64';

/**
 * Tags dates and bytes before JSON.stringify sees them: a replacer would run after
 * `Buffer#toJSON` had already expanded a body into an array of numbers, which is slow. Copies
 * only what holds a date or bytes, and returns the value itself when nothing in it does (most
 * records: recipients, jobs), so that JSON.stringify walks it as it is.
 */
function tag(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return { [DATE_TAG]: value.getTime() };
  if (value instanceof Uint8Array) {
    return { [BYTES_TAG]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const t = v !== null && typeof v === 'object' ? tag(v) : v;
      if (t !== v) (copy ??= value.slice())[i] = t;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    const t = v !== null && typeof v === 'object' ? tag(v) : v;
    if (t !== v) (copy ??= { ...(value as Record<string, unknown>) })[key] = t;
  }
  return copy ?? value;
}

/** The inverse of `tag`, walked once after a plain JSON.parse (cheaper than a reviver per key). */
function untag(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v !== null && typeof v === 'object') {
        const u = untag(v);
        if (u !== v) value[i] = u;
      }
    }
    return value;
  }
  const obj = value as Record<string, unknown>;
  const bytes = obj[BYTES_TAG];
  if (typeof bytes === 'string') return Buffer.from(bytes, 'base64');
  const date = obj[DATE_TAG];
  if (typeof date === 'number') return new Date(date);
  for (const key in obj) {
    const v = obj[key];
    if (v !== null && typeof v === 'object') {
      const u = untag(v);
      if (u !== v) obj[key] = u;
    }
  }
  return obj;
}

export function encodeValue(value: unknown): string {
  return JSON.stringify(tag(value));
}

export function decodeValue<T>(text: string): T {
  return untag(JSON.parse(text)) as T;
}
