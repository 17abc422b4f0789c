import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const start = fileURLToPath(new URL('../start.mjs', import.meta.url));

it('the example starts, prints where it listens, carries the demo message, and drains on SIGTERM', async () => {
  const data = await mkdtemp(join(tmpdir(), 'openmmsc-basic-'));
  try {
    const proc = spawn(process.execPath, [...process.execArgv, start], {
      env: { ...process.env, OPENMMSC_ADMIN_PORT: '0', OPENMMSC_DATA_DIR: data },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.resume();
    const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!stderr.includes('running; press Ctrl-C') && Date.now() < deadline && proc.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(stderr, /admin: http:\/\/127\.0\.0\.1:\d+\/health/);
    assert.match(stderr, /demo message \w+: accepted/);
    assert.match(stderr, /\+15550000002: received \(api\) → routed \(@openmmsc\/plugin-router-prefix\) → charged \(kernel\) → notified \(@openmmsc\/plugin-push-log\)/);
    const url = /admin: (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)![1];
    assert.equal((await fetch(`${url}/ready`)).status, 200);
    proc.kill('SIGTERM');
    assert.equal(await exit, 0);
    assert.ok(existsSync(join(data, 'pushes.jsonl')));
    const cdrs = readFileSync(join(data, 'cdr.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    assert.deepEqual(cdrs.map((c) => c.event).sort(), ['notified', 'submission']);
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});
