import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { spawnWatched, waitFor } from '@openmmsc/testkit';
import type { Cdr } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/restart-mmsc.ts', import.meta.url));

interface Child {
  out(): string;
  exited: Promise<number | null>;
  kill(): Promise<void>;
}

function start(dir: string, phase: string, ...args: string[]): Child {
  const child = spawnWatched(process.execPath, ['--import', 'tsx', '--conditions=@openmmsc/source', fixture, dir, phase, ...args]);
  return { out: () => (child.stderr() ? `${child.stdout()}\nstderr: ${child.stderr()}` : child.stdout()), exited: child.exited, kill: child.kill };
}

async function readCdrs(dir: string): Promise<Cdr[]> {
  const files = (await readdir(join(dir, 'cdr'))).sort();
  const text = (await Promise.all(files.map((f) => readFile(join(dir, 'cdr', f), 'utf8')))).join('');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Cdr);
}

describe('MM8 CDR ids across a crash', () => {
  it('a job re-run after kill -9 writes its CDR again with the same id; every other event has its own id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mm8-restart-'));
    const children: Child[] = [];
    try {
      // 1. Submit; the notify job records `notified` (MM8 writes it) and is killed before it completes.
      const first = start(dir, 'submit');
      children.push(first);
      await waitFor('the notify job to hang after MM8 wrote its CDR', () => /^submitted \S+$/m.test(first.out()) && first.out().includes('blocked notified'), { timeoutMs: 90_000 });
      const messageId = /^submitted (\S+)$/m.exec(first.out())![1]!;
      await first.kill();

      // 2. Restart: the notify job runs again; the handset fetches and acknowledges; the report job
      //    records the delivery report and is killed before it completes.
      const second = start(dir, 'report', messageId);
      children.push(second);
      await waitFor('the report job to hang after MM8 wrote its CDR', () => second.out().includes('blocked delivery-report'), { timeoutMs: 90_000 });
      await second.kill();

      // 3. Restart: the report job runs again.
      const third = start(dir, 'finish');
      children.push(third);
      await waitFor('the re-run report job', () => third.out().includes('done'), { timeoutMs: 90_000 });
      assert.equal(await third.exited, 0, third.out());

      const cdrs = await readCdrs(dir);
      const of = (event: string) => cdrs.filter((c) => c.event === event);
      assert.deepEqual(
        cdrs.map((c) => `${c.event}:${c.recordType}`).sort(),
        ['delivered:MMR1A', 'delivery-report:MMO1D', 'delivery-report:MMO1D', 'notified:MMR1NRq', 'notified:MMR1NRq', 'retrieved:MMR1Rt', 'submission:MMO1S'],
      );
      for (const event of ['notified', 'delivery-report']) {
        const [a, b] = of(event);
        assert.equal(a!.cdrId, b!.cdrId, `the re-run ${event} job wrote the same id`);
        assert.notEqual(a!.recordingEntity, b!.recordingEntity, 'written by two nodes: the id does not depend on the node');
        assert.equal(a!.messageID, messageId);
      }
      const ids = new Set(cdrs.map((c) => c.cdrId));
      assert.equal(ids.size, 5, 'five events, five ids: a billing system keeps one record per id');
    } finally {
      for (const c of children) await c.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
