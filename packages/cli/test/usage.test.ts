/**
 * Exit codes as the README documents them, for every command, spawning the real bin: 2 for a usage
 * error (unknown command or option, missing or extra argument, bad or conflicting option, no
 * command), 1 for invalid input, 0 for help. And `npx openmmsc` works from the repository root.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const bin = fileURLToPath(new URL('../bin/openmmsc.mjs', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs the cases two at a time (the machine has two cores). */
async function runAll(cases: string[][]): Promise<Map<string[], Awaited<ReturnType<typeof run>>>> {
  const results = new Map<string[], Awaited<ReturnType<typeof run>>>();
  const queue = [...cases];
  await Promise.all(
    [0, 1].map(async () => {
      for (let c = queue.shift(); c; c = queue.shift()) results.set(c, await run(c));
    }),
  );
  return results;
}

const vasp = ['--url', 'http://127.0.0.1:9/mm7', '--vasp-id', 'v1'];

describe('exit codes', () => {
  it('usage errors exit 2 with a message, for every command', async () => {
    const cases = [
      [],
      ['no-such-command'],
      ['--no-such-option'],
      ['start'],
      ['start', 'a.yaml', 'b.yaml'],
      ['check'],
      ['check', 'a.yaml', 'b.yaml'],
      ['check', '--no-such-option', 'a.yaml'],
      ['decode'],
      ['decode', '--no-such-option', 'x'],
      ['decode', '--mms', '--push', 'x'],
      ['decode', '--lenient', '--strict', 'x'],
      ['decode', '-', '-'],
      ['encode'],
      ['encode', 'a.json', 'b.json'],
      ['vasp'],
      ['vasp', 'submit'],
      ['vasp', 'submit', ...vasp],
      ['vasp', 'submit', ...vasp, '--to', '+15550001', '--batch', '0'],
      ['vasp', 'submit', ...vasp, '--to', '+15550001', '--timeout', 'soon'],
      ['vasp', 'submit', ...vasp, '--to', '+15550001', '--release', 'REL-9'],
      ['vasp', 'cancel', ...vasp],
      ['vasp', 'replace', ...vasp],
    ];
    const results = await runAll(cases);
    for (const [args, r] of results) {
      assert.equal(r.status, 2, `openmmsc ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
      assert.ok(r.stderr.trim().length > 0, `openmmsc ${args.join(' ')}: says nothing`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `openmmsc ${args.join(' ')}: stack trace`);
    }
  });
  it('invalid input exits 1; help and version exit 0', async () => {
    const cases = [['decode', '/nonexistent/pdu.mms'], ['check', '/nonexistent/config.yaml'], ['encode', '{"messageType":"m-nope"}'], ['--help'], ['decode', '--help'], ['help', 'vasp'], ['--version']];
    const results = await runAll(cases);
    const status = cases.map((c) => results.get(c)!.status);
    assert.deepEqual(status, [1, 1, 1, 0, 0, 0, 0], cases.map((c) => results.get(c)!.stderr).join('\n'));
  });
});

describe('running openmmsc from the repository root', () => {
  it('node_modules/.bin/openmmsc (what npx and pnpm exec run) is linked and works', () => {
    assert.ok(existsSync(`${root}node_modules/.bin/openmmsc`), 'the root package depends on @openmmsc/cli: run pnpm install');
    assert.ok(existsSync(`${root}packages/cli/dist/run.js`), 'the bin runs the build: run tsc -b (npm test does)');
    const r = spawnSync(`${root}node_modules/.bin/openmmsc`, ['--help'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: openmmsc \[options\] \[command\]/);
    const npx = spawnSync('npx', ['--no-install', 'openmmsc', '--version'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(npx.status, 0, npx.stderr);
    assert.equal(npx.stdout.trim(), '0.1.0');
  });
});
