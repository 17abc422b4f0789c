#!/usr/bin/env node
// Runs every test file of the workspace in one `node --test` run, so CI sees one summary.
// Tests import workspace packages from source (the `@openmmsc/source` export condition) through tsx.
//
// Tests that need a system component (tshark, redis-server, …) skip when it is missing, through
// requireSystem() of @openmmsc/testkit, which records each skip in a folder this runner passes in
// OPENMMSC_SYSTEM_SKIPS. At the end the runner prints one line per missing component, with what was
// skipped and how to install it. With OPENMMSC_REQUIRE_ALL=1 (CI) a missing component fails the run.
//
// Arguments: path fragments selecting test files (`core/test`), or paths of test files to run as given.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeSkips } from './system-skips.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = ['conformance', 'packages', 'plugins', 'examples', 'bench', 'scripts'];
const args = process.argv.slice(2);

function findTests(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findTests(path, out);
    else if (/\.test\.(ts|mts|js|mjs)$/.test(entry.name)) out.push(path);
  }
  return out;
}

const isFile = (a) => existsSync(resolve(a)) && statSync(resolve(a)).isFile();
const explicit = args.filter(isFile).map((a) => relative(root, resolve(a)));
const filters = args.filter((a) => !isFile(a));

const files = [];
if (filters.length > 0 || explicit.length === 0) {
  for (const r of roots) {
    const dir = join(root, r);
    try { if (statSync(dir).isDirectory()) findTests(dir, files); } catch { /* absent */ }
  }
}
const selected = [
  ...explicit,
  ...files.map((f) => relative(root, f)).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort(),
];

if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const runDir = mkdtempSync(join(tmpdir(), 'openmmsc-test-run-'));
const skipsFile = join(runDir, 'reported-skips.jsonl');
const concurrency = Number(process.env.TEST_CONCURRENCY ?? Math.max(2, availableParallelism()));
const reporter = process.env.CI || process.stdout.isTTY ? 'spec' : 'tap';
const nodeArgs = [
  '--import', 'tsx',
  '--conditions=@openmmsc/source',
  '--test',
  `--test-concurrency=${concurrency}`,
  `--test-reporter=${reporter}`, '--test-reporter-destination=stdout',
  `--test-reporter=${join(root, 'scripts', 'skip-reporter.mjs')}`, `--test-reporter-destination=${skipsFile}`,
  ...selected,
];
const env = { ...process.env, OPENMMSC_SYSTEM_SKIPS: runDir };
const child = spawn(process.execPath, nodeArgs, { cwd: root, stdio: 'inherit', env });
child.on('exit', (code, signal) => {
  let status = signal ? 1 : (code ?? 1);
  try {
    const { lines, missing } = summarizeSkips(runDir, skipsFile);
    if (lines.length) {
      console.log('\nSystem components missing here; the tests that need them were skipped:');
      for (const line of lines) console.log(`  ${line}`);
    }
    if (missing > 0 && process.env.OPENMMSC_REQUIRE_ALL === '1') {
      console.error(`\nOPENMMSC_REQUIRE_ALL=1: ${missing} system component${missing > 1 ? 's are' : ' is'} missing, so this run fails (install them: .ci/apt-packages).`);
      status = status || 1;
    } else if (lines.length) {
      console.log('  (.ci/run installs them all; OPENMMSC_REQUIRE_ALL=1 makes a missing one fail the run)');
    }
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
  process.exit(status);
});
