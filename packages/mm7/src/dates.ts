/** xs:duration and xs:dateTime values of MM7 (`relativeOrAbsoluteDate`). */
/** Milliseconds of an xs:duration (`P1DT2H`, `PT30M`); months count 30 days, years 365. */
export function parseXsDuration(value: string): number | undefined {
  const m = /^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value.trim());
  if (!m || value.trim() === 'P' || value.trim().endsWith('T')) return undefined;
  const n = (i: number) => (m[i] ? Number.parseFloat(m[i]!) : 0);
  const ms = (n(2) * 365 + n(3) * 30 + n(4) * 7 + n(5)) * 86_400_000 + n(6) * 3_600_000 + n(7) * 60_000 + n(8) * 1000;
  return m[1] ? -ms : ms;
}

/** An MM7 relativeOrAbsoluteDate: an xs:dateTime, or an xs:duration counted from `now`. */
export function resolveDate(value: string | undefined, now: number): Date | undefined | 'invalid' {
  if (value === undefined || value === '') return undefined;
  const v = value.trim();
  if (v.startsWith('P') || v.startsWith('-P')) {
    const ms = parseXsDuration(v);
    return ms === undefined ? 'invalid' : new Date(now + ms);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.test(v)) return 'invalid';
  const t = Date.parse(v);
  return Number.isFinite(t) ? new Date(t) : 'invalid';
}

/** An xs:dateTime without milliseconds, in UTC. */
export function xsDateTime(at: number | Date): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
