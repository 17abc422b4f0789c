import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PASSWORD, startHarness, type Mm7Harness } from './helpers.js';

// The `openmmsc` command as users run it (from the CLI package's sources, like its own tests).
const run = fileURLToPath(new URL('../../../packages/cli/src/run.ts', import.meta.url));

function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, run, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('openmmsc vasp', () => {
  let h: Mm7Harness;
  let dir: string;
  before(async () => {
    h = await startHarness();
    dir = await mkdtemp(join(tmpdir(), 'mm7-cli-'));
  });
  after(async () => {
    await h.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('submit sends a SubmitReq with a file and prints the MessageID; cancel cancels it', async () => {
    const image = join(dir, 'image.jpg');
    await writeFile(image, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]));
    const r = await cli('vasp', 'submit', '--url', h.url, '--vasp-id', 'acme', '--password', PASSWORD, '--from', '12345', '--to', '+15550000040', '--subject', 'From the CLI', '--text', 'hello', '--file', image, '--delivery-report');
    assert.equal(r.status, 0, r.stderr);
    const id = /MessageID: (\S+)/.exec(r.stdout)?.[1];
    assert.ok(id, r.stdout);
    assert.match(r.stdout, /^1000 Success/);
    const parts = await h.t.mmsc.getParts(id);
    assert.deepEqual(parts?.map((p) => p.contentType.type), ['text/plain', 'image/jpeg']);
    assert.equal(parts?.[1]?.contentLocation, 'image.jpg');
    assert.equal((await h.t.mmsc.getMessage(id))?.headers.subject?.text, 'From the CLI');

    const c = await cli('vasp', 'cancel', '--url', h.url, '--vasp-id', 'acme', '--password', PASSWORD, id);
    assert.equal(c.status, 0, c.stderr + c.stdout);
    assert.match(c.stdout, /1000/);
  });

  it('submit --to-file runs a campaign and summarises per-recipient results', async () => {
    const numbers = join(dir, 'numbers.txt');
    const list = Array.from({ length: 60 }, (_, i) => `+1555${String(7_000_000 + i)}`);
    await writeFile(numbers, ['# spring campaign', ...list, 'not-a-number', '+4915112345678', ''].join('\n'));
    const r = await cli('vasp', 'submit', '--url', h.url, '--vasp-id', 'acme', '--password', PASSWORD, '--to-file', numbers, '--text', 'Spring offer', '--concurrency', '4', '--batch', '5', '--json');
    assert.equal(r.status, 1, 'some recipients were refused → exit code 1');
    const summary = JSON.parse(r.stdout) as { recipients: number; accepted: number; rejected: number; requests: number; byStatus: Record<string, number> };
    assert.equal(summary.recipients, 62);
    assert.equal(summary.accepted, 60);
    assert.equal(summary.rejected, 2);
    assert.equal(summary.requests, 13);
    assert.equal(summary.byStatus['1000 accepted'], 60);
    // The last batch (the two bad lines) is refused as a whole: each keeps its own reason, not the first one's.
    const refusals = Object.entries(summary.byStatus).filter(([k]) => !k.startsWith('1000'));
    assert.equal(refusals.length, 2, JSON.stringify(summary.byStatus));
    assert.ok(refusals.every(([, n]) => n === 1), JSON.stringify(summary.byStatus));

    const plain = await cli('vasp', 'submit', '--url', h.url, '--vasp-id', 'acme', '--password', PASSWORD, '--to-file', numbers, '--text', 'again', '--no-progress');
    assert.match(plain.stdout, /62 recipients in 62 requests/);
    assert.match(plain.stdout, /accepted: 60 {3}rejected or failed: 2/);
  });

  it('reports a refusal with a non-zero exit code', async () => {
    const r = await cli('vasp', 'submit', '--url', h.url, '--vasp-id', 'acme', '--password', 'wrong', '--to', '+15550000041', '--text', 'x');
    assert.equal(r.status, 1);
    assert.match(r.stdout, /4001/);
  });
});
