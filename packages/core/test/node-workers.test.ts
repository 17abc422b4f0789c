import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createMmsc, runNode } from '@openmmsc/core';
import { waitFor } from '@openmmsc/testkit';
import { crashSetup } from './fixtures/crash-plugins.js';
import { waitUntilNotified } from './helpers/burst-child.js';

/** Jobs a worker holds claimed in the node's SQLite queue file. */
function activeJobsOf(queueFile: string, owner: string): number {
  const db = new Database(queueFile, { readonly: true, timeout: 5000 });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state = 'active' AND owner = ?`).get(owner) as { n: number }).n;
  } finally {
    db.close();
  }
}

const fixture = fileURLToPath(new URL('./fixtures/worker-node.ts', import.meta.url));

/** The primary of a two-worker node (fixtures/worker-node.ts), with what it and its workers printed. */
function startNode(dir: string, env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, [...process.execArgv, fixture, dir], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const lines: string[] = [];
  let buffer = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const workers = () => lines.filter((l) => l.startsWith('WORKER ')).map((l) => l.split(' ').map(Number) as [number, number, number]);
  const acks = () => lines.filter((l) => l.startsWith('ACK ')).map((l) => l.slice(4));
  const pushes = () => {
    const file = join(dir, 'pushes.log');
    return existsSync(file) ? new Set(readFileSync(file, 'utf8').trim().split('\n')) : new Set<string>();
  };
  return { proc, lines, exited, workers, acks, pushes };
}

describe('a node of several worker processes', () => {
  it('kill -9 of a worker loses nothing: it is restarted, its claimed jobs run, and the node still stops gracefully', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-workers-'));
    // Pushes that take 200 ms keep notifications claimed while the workers submit, so the kill
    // lands on a worker holding jobs however fast the machine is.
    const node = startNode(dir, { OPENMMSC_CRASH_PUSH_MS: '200' });
    try {
      // Generous: three processes start from TypeScript sources, on a machine other suites share.
      await waitFor('both workers submitting and pushing', () => node.acks().length >= 100 && node.pushes().size >= 20, { timeoutMs: 240_000 });
      await waitFor('worker 1 holding claimed jobs', () => activeJobsOf(join(dir, 'store.queue.sqlite'), 'worker-1') >= 3, { timeoutMs: 60_000, intervalMs: 20 });
      const victim = node.workers().find(([, slot]) => slot === 1)!;
      process.kill(victim[2], 'SIGKILL');
      const ackedAtKill = node.acks();
      const claimedByVictim = activeJobsOf(join(dir, 'store.queue.sqlite'), 'worker-1');
      assert.ok(claimedByVictim > 0, 'the killed worker had jobs claimed (they must not wait for a restart of the node)');
      await waitFor('worker 1 replaced', () => node.workers().some(([, slot, pid]) => slot === 1 && pid !== victim[2]), { timeoutMs: 120_000 });
      // Within the running node (no restart of the whole node): every acknowledged message's
      // two notifications are pushed, those the killed worker had claimed too.
      const missing = () => ackedAtKill.filter((id) => !node.pushes().has(`${id} +15550000002`) || !node.pushes().has(`${id} +15550000003`));
      await waitFor('every acknowledged message notified', () => missing().length === 0, { timeoutMs: 120_000, intervalMs: 200 }).catch(() => undefined);
      assert.deepEqual(missing(), [], 'acknowledged messages whose notification was lost with the killed worker');

      node.proc.kill('SIGTERM');
      assert.equal(await node.exited, 0, 'the primary stopped cleanly');
      assert.ok(node.lines.includes('NODE STOPPED'));
    } finally {
      node.proc.kill('SIGKILL');
      await node.exited;
    }
    // Afterwards, one process on the same file: every message either worker acknowledged is
    // stored with both recipients notified, nothing left half done by the graceful stop.
    const { plugins, config } = crashSetup(dir, undefined, 0);
    const mmsc = await createMmsc({ config, plugins });
    try {
      const acked = node.acks();
      for (const id of acked) assert.ok(await mmsc.getMessage(id), `acknowledged message ${id} is stored`);
      assert.deepEqual(await waitUntilNotified(mmsc, acked, 60_000), []);
    } finally {
      await mmsc.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('/metrics of whichever worker answers is the whole node: counters summed, store gauges read once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-workers-metrics-'));
    const node = startNode(dir, { OPENMMSC_ADMIN: '1', OPENMMSC_SUBMITS: '40' });
    try {
      await waitFor('both workers done submitting', () => node.lines.filter((l) => l.startsWith('SUBMITTED ')).length === 2, { timeoutMs: 240_000 });
      const urls = new Set(node.lines.filter((l) => l.startsWith('ADMIN ')).map((l) => l.slice(6)));
      assert.equal(urls.size, 1, 'the workers share one admin port');
      const url = [...urls][0]!;
      await waitFor('every notification pushed', () => node.pushes().size === 160, { timeoutMs: 120_000, intervalMs: 100 });
      const value = (text: string, series: string): number => {
        const line = text.split('\n').find((l) => l.startsWith(`${series} `));
        assert.ok(line, `${series} in the scrape`);
        return Number(line.split(' ')[1]);
      };
      const accepted = 'openmmsc_submissions_total{interface="api",status="accepted"}';
      const expireDelayed = 'openmmsc_jobs_queued{kind="expire",state="delayed"}';
      // Keep-alive would pin one worker; fresh connections are spread over both by the primary.
      const scrape = async (query = ''): Promise<string> => {
        const res = await fetch(`${url}/metrics${query}`, { headers: { connection: 'close' } });
        assert.equal(res.status, 200);
        return res.text();
      };
      const perWorker = new Set<number>();
      for (let i = 0; i < 8; i++) {
        const whole = await scrape();
        assert.equal(value(whole, accepted), 80, 'both workers’ 40 acceptances, whichever worker answered');
        assert.equal(value(whole, 'openmmsc_node_workers{state="configured"}'), 2);
        assert.equal(value(whole, 'openmmsc_node_workers{state="reporting"}'), 2);
        const own = await scrape('?scope=worker');
        perWorker.add(value(own, accepted));
        // Both workers read the one queue file: the node's figure is that reading, not twice it.
        assert.equal(value(whole, expireDelayed), value(own, expireDelayed));
        assert.ok(value(whole, expireDelayed) > 0);
      }
      for (const n of perWorker) assert.equal(n, 40, 'a worker’s own scrape counts its own submissions');
      assert.equal((await fetch(`${url}/metrics?scope=cluster`)).status, 400);
    } finally {
      node.proc.kill('SIGTERM');
      await node.exited;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a worker that fails to start fails the node’s start, naming the worker and the cause', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-workers-fail-'));
    try {
      const node = startNode(dir, { OPENMMSC_WORKERS_FAIL: '1' });
      assert.equal(await node.exited, 1);
      const failed = node.lines.find((l) => l.startsWith('START FAILED '));
      assert.match(failed ?? '', /worker \d failed to start: .*this plugin refuses to start/);
      assert.ok(!node.lines.includes('NODE READY'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a config error fails at start, before any worker is forked', async () => {
    await assert.rejects(runNode({ workers: 2, config: { node: { workers: 0 } } as never }), /node\.workers/);
    await assert.rejects(runNode({ config: { node: { workers: 'many' } } as never }), /node\.workers/);
    await assert.rejects(runNode({ workers: 2, config: { store: { type: 'nope' } } as never }), /store/);
  });
});
