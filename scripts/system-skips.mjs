// Turns what requireSystem() recorded (one JSONL file per test process in the run folder) and
// what the skip reporter saw into one summary line per missing system component.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function jsonLines(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * @param {string} runDir folder holding `<pid>.jsonl` records from requireSystem()
 * @param {string} reportedFile the skip reporter's output
 * @returns {{ lines: string[], missing: number }}
 */
export function summarizeSkips(runDir, reportedFile) {
  const records = readdirSync(runDir)
    .filter((f) => /^\d+\.jsonl$/.test(f))
    .flatMap((f) => jsonLines(join(runDir, f)));
  const reported = jsonLines(reportedFile);
  const byComponent = new Map();
  for (const r of records) {
    const c = byComponent.get(r.component) ?? { problem: r.problem, remedy: r.remedy, reasons: new Set(), files: new Set() };
    c.reasons.add(r.reason);
    if (r.file) c.files.add(r.file);
    byComponent.set(r.component, c);
  }
  const lines = [];
  for (const [, c] of [...byComponent].sort(([a], [b]) => a.localeCompare(b))) {
    const skipped = reported.filter((s) => c.reasons.has(s.reason));
    const suites = skipped.filter((s) => s.suite).length;
    const tests = skipped.length - suites;
    const what = [suites && plural(suites, 'suite'), tests && plural(tests, 'test')].filter(Boolean).join(' and ') || 'nothing reported';
    const files = new Set([...c.files, ...skipped.map((s) => s.file).filter(Boolean)]).size;
    lines.push(`skipped ${what} (${plural(files, 'file')}): ${c.problem} — ${c.remedy}`);
  }
  return { lines, missing: byComponent.size };
}
