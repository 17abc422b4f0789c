import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createJobQueue } from '../../src/queue/create-job-queue.js';
import { createMessageStore } from '../../src/store/create-message-store.js';
import type { JobQueue, RunningJob } from '../../src/services/job-queue.js';
import { jobQueueContract } from './job-queue.contract.js';
import { pluginJobsContract } from './plugin-jobs.contract.js';
import { messageStoreContract } from './message-store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'openmmsc-sqlite-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
// Nested, not-yet-existing directories: the store and queue must create them.
const newPath = (name: string): string => join(dir, `case-${++n}`, 'nested', name);

messageStoreContract('keyv + SQLite', async () => {
  const path = newPath('store.sqlite');
  return { open: () => createMessageStore({ type: 'sqlite', path }) };
});

// The workers of one node open the same file, each its own connection.
messageStoreContract('keyv + SQLite shared by worker processes', async () => {
  const path = newPath('store.sqlite');
  return { open: () => createMessageStore({ type: 'sqlite', path }, { shared: true }), sharedByProcesses: true };
});

jobQueueContract('SQLite shared by worker processes', async () => {
  const path = newPath('jobs.sqlite');
  return { open: () => createJobQueue({ type: 'sqlite', path }, { owner: 'worker-1' }) };
});

jobQueueContract('SQLite', async () => {
  const path = newPath('jobs.sqlite');
  return { open: () => createJobQueue({ type: 'sqlite', path }) };
});

pluginJobsContract('SQLite', async () => {
  const path = newPath('jobs.sqlite');
  return { open: () => createJobQueue({ type: 'sqlite', path }) };
});

async function sql(path: string, statement: string): Promise<void> {
  const db = new Database(path);
  try {
    db.prepare(statement).run();
  } finally {
    db.close();
  }
}

/** Starts `queue` with only a deliver handler, waits (up to 5 s) for the first job it runs, and closes it: the jobs that ran. */
async function deliveredOnStart(queue: JobQueue): Promise<RunningJob[]> {
  const seen: RunningJob[] = [];
  await queue.start({
    handlers: { deliver: async (job) => void seen.push(job) },
    concurrency: { notify: 1, deliver: 1, report: 1, expire: 1 },
    onFailed: () => {},
  });
  const deadline = Date.now() + 5000;
  while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await queue.close();
  return seen;
}

describe('SQLite job queue recovery', () => {
  it('resumes a job left active by a dead process', async () => {
    const path = newPath('jobs.sqlite');
    const first = await createJobQueue({ type: 'sqlite', path });
    await first.enqueue({ id: 'orphan', kind: 'deliver', data: {}, maxAttempts: 3, backoff: { baseMs: 10, maxMs: 10, jitter: 0 } });
    await first.close();
    await sql(path, `UPDATE jobs SET state = 'active', attempt = 1 WHERE id = 'orphan'`);

    const second = await createJobQueue({ type: 'sqlite', path });
    assert.equal((await second.counts()).active, 1);
    const seen = await deliveredOnStart(second);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.attempt, 2, 'the crashed run counts as an attempt');
  });

  it('survives kill -9 of the process running the job', async () => {
    const path = newPath('jobs.sqlite');
    const worker = fileURLToPath(new URL('./fixtures/crash-worker.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', worker, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((ok, fail) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('running') && ok());
      child.once('exit', (code) => fail(new Error(`worker exited early (${code})`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid!, 'SIGKILL');
    await exited;

    const seen = await deliveredOnStart(await createJobQueue({ type: 'sqlite', path }));
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.id, 'survivor');
    assert.deepEqual(seen[0]!.data, { x: 1 });
  });
});
