const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `1500`, `'1500ms'`, `'30s'`, `'5m'`, `'3d'`, `'1h30m'` → milliseconds. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new Error(`invalid duration ${input}`);
    return input;
  }
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  let matched = '';
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched += m[0];
  }
  if (matched.replace(/\s/g, '') !== text.replace(/\s/g, '') || matched === '') {
    throw new Error(`invalid duration ${JSON.stringify(input)} (use e.g. 500ms, 30s, 5m, 2h, 3d)`);
  }
  return Math.round(total);
}

/** `'300KB'`, `'1MB'`, `1024` → bytes. */
export function parseSize(input: string | number): number {
  if (typeof input === 'number') return input;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?\s*$/i.exec(input);
  if (!m) throw new Error(`invalid size ${JSON.stringify(input)} (use e.g. 300KB, 1MB)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = unit.startsWith('g') ? 1024 ** 3 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('k') ? 1024 : 1;
  return Math.round(n * mult);
}
