/**
 * JSON text that keeps `Date` and byte arrays, used as keyv's serializer so every adapter
 * (SQLite TEXT column, Redis string) round-trips message headers and part bodies unchanged.
 * Tags are single-key objects whose key no MMS header or plugin value uses.
 */
const DATE_TAG = '$openmmsc:date';
const BYTES_TAG = '$openmmsc:b64';

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // `this[key]` is the value before `toJSON` ran (Date and Buffer both define one).
  const raw = this[key];
  if (raw instanceof Date) return { [DATE_TAG]: raw.getTime() };
  if (raw instanceof Uint8Array) {
    return { [BYTES_TAG]: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const date = obj[DATE_TAG];
    if (typeof date === 'number' && Object.keys(obj).length === 1) return new Date(date);
    const bytes = obj[BYTES_TAG];
    if (typeof bytes === 'string' && Object.keys(obj).length === 1) return Buffer.from(bytes, 'base64');
  }
  return value;
}

export function encodeValue(value: unknown): string {
  return JSON.stringify(value, replacer);
}

export function decodeValue<T>(text: string): T {
  return JSON.parse(text, reviver) as T;
}
