import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@openmmsc/testkit';
import { login } from './rig.js';

const fixture = fileURLToPath(new URL('./fixtures/alarm-node.ts', import.meta.url));

interface Posted {
  event: 'raised' | 'cleared';
  alarm: { id: string; text: string };
}

/**
 * The two-worker node of fixtures/alarm-node.ts (its own store in a fresh directory) with a
 * webhook that keeps what it is posted; `out` is what the node printed so far.
 */
async function startNode() {
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-console-workers-'));
  const posted: Posted[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posted.push(JSON.parse(body) as Posted);
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const webhook = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alarms`;
  const proc = spawn(process.execPath, [...process.execArgv, fixture, dir, webhook], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const node = {
    dir,
    posted,
    proc,
    exited,
    out: '',
    async cleanUp() {
      proc.kill('SIGKILL');
      await exited;
      hook.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  proc.stdout!.on('data', (c: Buffer) => (node.out += c.toString()));
  return node;
}

describe('links and alarms of a node of several workers', () => {
  it('a link down in one worker shows on every worker’s page, and the webhook hears of it once, not once per worker', async () => {
    const node = await startNode();
    try {
      // Generous: three processes start from TypeScript sources on a shared machine.
      await waitFor('both workers ready', () => (node.out.match(/^WORKER /gm)?.length ?? 0) === 2, { timeoutMs: 120_000 });
      const base = `${/^ADMIN (\S+)$/m.exec(node.out)![1]}/console`;
      const s = await login(base, 'victor');
      const links = async () =>
        (await (await fetch(`${base}/api/links`, { headers: { cookie: s.cookie } })).json()) as {
          links: Array<{ kind: string; name: string; state: string; detail: string }>;
          alarms: Array<{ id: string }>;
        };
      await waitFor('the link listed up', async () => (await links()).links.some((l) => l.kind === 'ppg' && l.state === 'up'));

      await writeFile(join(node.dir, 'link-2'), '0');
      await waitFor('the webhook told', () => node.posted.some((p) => p.event === 'raised' && p.alarm.id === 'link:ppg:ppg.example'), { timeoutMs: 20_000 });
      // Requests to the shared admin port land on either worker: every answer shows the node's state.
      for (let i = 0; i < 6; i++) {
        const view = await links();
        const link = view.links.find((l) => l.kind === 'ppg')!;
        assert.equal(link.state, 'down', `answer ${i}: the node's link is as bad as its worst worker`);
        assert.match(link.detail, /^worker 2: as worker 2 sees it/);
        assert.ok(view.alarms.some((a) => a.id === 'link:ppg:ppg.example'), `answer ${i}: the alarm is listed`);
      }
      // Several samples later (200 ms each), still one post.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(node.posted.filter((p) => p.event === 'raised').length, 1, 'one webhook per alarm for the whole node');

      await writeFile(join(node.dir, 'link-2'), '1');
      await waitFor('cleared', () => node.posted.some((p) => p.event === 'cleared'), { timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(node.posted.map((p) => p.event), ['raised', 'cleared']);
      const after = await links();
      assert.equal(after.links.find((l) => l.kind === 'ppg')!.state, 'up');
      assert.deepEqual(after.alarms, []);

      node.proc.kill('SIGTERM');
      assert.equal(await node.exited, 0);
      assert.match(node.out, /NODE STOPPED/);
    } finally {
      await node.cleanUp();
    }
  });

  it('while worker 1 restarts, worker 2 announces; worker 1 back does not announce the alarm again', async () => {
    const node = await startNode();
    const workerOne = () => [...node.out.matchAll(/^WORKER 1 (\d+)$/gm)].map((m) => Number(m[1]));
    try {
      await waitFor('both workers ready', () => (node.out.match(/^WORKER /gm)?.length ?? 0) === 2, { timeoutMs: 120_000 });
      // Both have published (200 ms samples) before worker 1 goes.
      await new Promise((r) => setTimeout(r, 1000));
      const [first] = workerOne();
      // Worker 2's link goes down as worker 1 dies; the node restarts worker 1 at once, and a
      // worker takes seconds to start from TypeScript sources.
      await writeFile(join(node.dir, 'link-2'), '0');
      process.kill(first!, 'SIGKILL');
      await waitFor('the webhook told', () => node.posted.some((p) => p.event === 'raised'), { timeoutMs: 20_000 });
      assert.deepEqual(workerOne(), [first], 'announced while worker 1 was away (by worker 2)');

      await waitFor('worker 1 back', () => workerOne().length === 2, { timeoutMs: 120_000 });
      // Worker 1 speaks again: it finds the alarm announced and does not raise it a second time.
      await new Promise((r) => setTimeout(r, 2000));
      assert.deepEqual(node.posted.map((p) => `${p.event} ${p.alarm.id}`), ['raised link:ppg:ppg.example']);

      await writeFile(join(node.dir, 'link-2'), '1');
      await waitFor('cleared', () => node.posted.some((p) => p.event === 'cleared'), { timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(node.posted.map((p) => p.event), ['raised', 'cleared']);
      assert.match(node.posted[1]!.alarm.text, /ppg ppg\.example is up/);
      node.proc.kill('SIGTERM');
      assert.equal(await node.exited, 0);
    } finally {
      await node.cleanUp();
    }
  });
});
