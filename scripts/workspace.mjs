#!/usr/bin/env node
// The README's commands (`npm start`, `npm test`) on a machine that has only Node and npm:
// installs the workspace with pnpm (through npx when pnpm is not on PATH), builds it with
// `tsc -b`, then starts the example MMSC or runs every test.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const PNPM_VERSION = '10.34.9';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim().startsWith('10.')) return ['pnpm', []];
  return ['npx', ['-y', `pnpm@${PNPM_VERSION}`]];
}

function pnpm(...args) {
  const [cmd, pre] = pnpmCommand();
  run(cmd, [...pre, ...args]);
}

function installIfNeeded() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  if (existsSync(marker) && existsSync(lock) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  pnpm('install', '--frozen-lockfile=false');
}

function build() {
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'install':
    installIfNeeded();
    break;
  case 'build':
    installIfNeeded();
    build();
    break;
  case 'start':
    installIfNeeded();
    build();
    run(process.execPath, [join(root, 'examples', 'basic', 'start.mjs'), ...rest]);
    break;
  case 'test':
    installIfNeeded();
    build();
    run(process.execPath, [join(root, 'scripts', 'run-tests.mjs'), ...rest]);
    break;
  default:
    console.error('usage: node scripts/workspace.mjs install|build|start|test');
    process.exit(2);
}
