const SECRET_KEY = /(pass(word)?|secret|token|api[-_]?key|private[-_]?key|credentials?)$/i;
const URL_WITH_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)([^@]*)(@)/i;

/** A copy of `value` with secrets replaced by `***`: secret-named keys and passwords in URLs. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (typeof value === 'string') return value.replace(URL_WITH_PASSWORD, '$1***$3');
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && typeof v !== 'object' ? '***' : maskSecrets(v);
    }
    return out;
  }
  return value;
}
