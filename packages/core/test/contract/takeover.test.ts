import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import {requireSystem, startPostgres, startRedis, waitFor } from '@openmmsc/testkit';
import { createJobQueue, type QueueConfig } from '../../src/queue/create-job-queue.js';
import type { RunningJob } from '../../src/services/job-queue.js';

const worker = fileURLToPath(new URL('./fixtures/crash-worker.ts', import.meta.url));

/**
 * A node (child process) claims a job and is killed with SIGKILL while running it; an idle node
 * started afterwards must take the job over once the dead node's lease runs out. Returns how long
 * after the kill the job ran again.
 */
async function takeOver(t: TestContext, label: string, config: QueueConfig): Promise<{ ms: number; job: RunningJob }> {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok, fail) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('running') && ok());
    child.once('exit', (code) => fail(new Error(`worker exited early (${code})`)));
  });
  const survivor = await createJobQueue(config);
  try {
    const seen: Array<{ job: RunningJob; at: number }> = [];
    await survivor.start({
      handlers: { deliver: async (job) => void seen.push({ job, at: Date.now() }) },
      concurrency: { notify: 1, deliver: 1, report: 1, expire: 1 },
      onFailed: () => {},
    });
    const exited = new Promise((r) => child.once('exit', r));
    const killedAt = Date.now();
    process.kill(child.pid!, 'SIGKILL');
    await exited;
    await waitFor('take-over', () => seen.length === 1, { timeoutMs: 30_000, intervalMs: 10 });
    const ms = seen[0]!.at - killedAt;
    t.diagnostic(`${label}: job of the killed node ran again ${ms} ms after the kill (lease ${config.type === 'sqlite' ? '-' : (config.lease ?? 3000)} ms)`);
    return { ms, job: seen[0]!.job };
  } finally {
    await survivor.close(100);
  }
}

describe('take-over of a dead node\'s job', () => {
  it('PostgreSQL: within the lease plus a second', { skip: requireSystem('postgresql') }, async (t) => {
    const pg = await startPostgres();
    try {
      const { ms, job } = await takeOver(t, 'postgres', { type: 'postgres', url: pg.url, schema: `t_${randomUUID().replaceAll('-', '')}` });
      assert.equal(job.id, 'survivor');
      assert.deepEqual(job.data, { x: 1 });
      assert.equal(job.attempt, 2, 'the lost run counts as an attempt');
      assert.ok(ms <= 4500, `take-over took ${ms} ms`);
    } finally {
      await pg.stop();
    }
  });

  it('PostgreSQL with a 1 s lease', { skip: requireSystem('postgresql') }, async (t) => {
    const pg = await startPostgres();
    try {
      const { ms } = await takeOver(t, 'postgres', { type: 'postgres', url: pg.url, schema: 'short_lease', lease: 1000 });
      assert.ok(ms >= 300 && ms <= 2500, `take-over took ${ms} ms`);
    } finally {
      await pg.stop();
    }
  });

  it('Redis (BullMQ): within the lease plus a second', { skip: requireSystem('redis-server') }, async (t) => {
    const redis = await startRedis();
    try {
      const { ms, job } = await takeOver(t, 'redis (bullmq)', { type: 'redis', url: redis.url, prefix: `t-${randomUUID()}` });
      assert.equal(job.id, 'survivor');
      assert.ok(ms <= 5000, `take-over took ${ms} ms`);
    } finally {
      await redis.stop();
    }
  });
});
