#!/usr/bin/env node
// Runs every test file of the workspace in one `node --test` run, so CI sees one summary.
// Tests import workspace packages from source (the `@openmmsc/source` export condition) through tsx.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = ['packages', 'plugins', 'examples', 'bench', 'scripts'];
const filters = process.argv.slice(2);

function findTests(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findTests(path, out);
    else if (/\.test\.(ts|mts|js|mjs)$/.test(entry.name)) out.push(path);
  }
  return out;
}

const files = [];
for (const r of roots) {
  const dir = join(root, r);
  try { if (statSync(dir).isDirectory()) findTests(dir, files); } catch { /* absent */ }
}
const selected = files
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const concurrency = Number(process.env.TEST_CONCURRENCY ?? Math.max(2, availableParallelism()));
const args = [
  '--import', 'tsx',
  '--conditions=@openmmsc/source',
  '--test',
  `--test-concurrency=${concurrency}`,
  ...(process.env.CI ? ['--test-reporter=spec'] : []),
  ...selected,
];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
