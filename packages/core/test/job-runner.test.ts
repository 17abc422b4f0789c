import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { JobRunner, type Claim, type JobTable } from '../src/queue/job-runner.js';
import { RetryLaterError, type JobHandler, type JobKind, type JobSpec } from '../src/services/job-queue.js';

// The runner's timer is set to an hour: a job that runs within these tests ran because a
// targeted poke or dueAt() woke the runner, never because of the safety poll.
const HOUR = 3_600_000;

interface Row {
  spec: JobSpec;
  state: 'waiting' | 'active';
  attempt: number;
}

/** An in-memory jobs table that counts the queries the runner makes. */
class CountingTable implements JobTable<Claim> {
  readonly rows = new Map<string, Row>();
  claims: JobKind[] = [];
  nextDueCalls = 0;

  add(spec: JobSpec): void {
    this.rows.set(spec.id, { spec, state: 'waiting', attempt: 0 });
  }

  async claim(kind: JobKind, limit: number, now: number): Promise<Claim[]> {
    this.claims.push(kind);
    const due = [...this.rows.values()]
      .filter((r) => r.state === 'waiting' && r.spec.kind === kind && (r.spec.runAt ?? 0) <= now)
      .slice(0, limit);
    return due.map((r) => {
      r.state = 'active';
      r.attempt += 1;
      return { job: { ...r.spec, attempt: r.attempt } };
    });
  }

  async nextDue(kinds: readonly JobKind[]): Promise<number | undefined> {
    this.nextDueCalls += 1;
    const times = [...this.rows.values()].filter((r) => r.state === 'waiting' && kinds.includes(r.spec.kind)).map((r) => r.spec.runAt ?? 0);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  async complete({ job }: Claim): Promise<void> {
    this.rows.delete(job.id);
  }

  async retry({ job }: Claim, runAt: number): Promise<void> {
    const row = this.rows.get(job.id);
    if (row) Object.assign(row, { state: 'waiting', spec: { ...row.spec, runAt } });
  }

  async fail({ job }: Claim): Promise<boolean> {
    this.rows.delete(job.id);
    return true;
  }

  async hold({ job }: Claim, runAt: number): Promise<void> {
    const row = this.rows.get(job.id);
    if (row) Object.assign(row, { state: 'waiting', attempt: row.attempt - 1, spec: { ...row.spec, runAt } });
  }

  async handBack({ job }: Claim): Promise<void> {
    const row = this.rows.get(job.id);
    if (row) Object.assign(row, { state: 'waiting', attempt: row.attempt - 1 });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function job(id: string, kind: JobKind, runAt?: number): JobSpec {
  const spec: JobSpec = { id, kind, data: {}, maxAttempts: 3, backoff: { baseMs: 30, maxMs: 1000, jitter: 0 } };
  if (runAt !== undefined) spec.runAt = runAt;
  return spec;
}

describe('JobRunner wake-ups', () => {
  const runners: JobRunner<Claim>[] = [];
  after(async () => {
    for (const runner of runners) await runner.drain(100);
  });

  function runner(table: CountingTable, handlers: Partial<Record<JobKind, JobHandler>>, concurrency: Partial<Record<JobKind, number>> = {}): JobRunner<Claim> {
    const r = new JobRunner(table, { maxPollMs: HOUR, onError: (e) => assert.fail(String(e)) });
    r.start({ handlers, concurrency: { notify: 4, deliver: 4, expire: 4, ...concurrency }, onFailed: () => {} });
    runners.push(r);
    return r;
  }

  async function settled(table: CountingTable): Promise<void> {
    // The start's full look: every kind claimed once, then the next-due query.
    await waitFor('first look', () => table.nextDueCalls === 1);
    await sleep(20);
    table.claims = [];
    table.nextDueCalls = 0;
  }

  it('a job enqueued due now costs one claim of its kind and no next-due query', async () => {
    const table = new CountingTable();
    const ran: string[] = [];
    const done = async (j: { id: string }): Promise<void> => void ran.push(j.id);
    const r = runner(table, { notify: done, deliver: done, expire: done, 'plugin/other': done }, { 'plugin/other': 2 });
    await settled(table);
    table.add(job('n1', 'notify'));
    r.poke('notify');
    await waitFor('n1 ran', () => ran.includes('n1'));
    await sleep(20);
    // One claim for the poke, one for the slot the finished job freed: both of kind notify only.
    assert.deepEqual([...new Set(table.claims)], ['notify']);
    assert.ok(table.claims.length <= 2, `claims: ${table.claims.join(',')}`);
    assert.equal(table.nextDueCalls, 0);
  });

  it('a delayed job is run by the timer dueAt() armed, without a query', async () => {
    const table = new CountingTable();
    const ran = new Map<string, number>();
    const r = runner(table, { expire: async (j) => void ran.set(j.id, Date.now()) });
    await settled(table);
    const runAt = Date.now() + 150;
    table.add(job('e1', 'expire', runAt));
    r.dueAt('expire', runAt);
    assert.equal(table.nextDueCalls, 0);
    assert.deepEqual(table.claims, []);
    await waitFor('e1 ran', () => ran.has('e1'));
    assert.ok(ran.get('e1')! >= runAt, 'not before its run time');
  });

  it('an earlier delayed job re-arms the timer; a later one leaves it', async () => {
    const table = new CountingTable();
    const ran: string[] = [];
    const r = runner(table, { expire: async (j) => void ran.push(j.id) });
    await settled(table);
    const late = Date.now() + 400;
    table.add(job('late', 'expire', late));
    r.dueAt('expire', late);
    const early = Date.now() + 100;
    table.add(job('early', 'expire', early));
    r.dueAt('expire', early);
    await waitFor('early ran', () => ran.includes('early'));
    assert.deepEqual(ran, ['early']);
    await waitFor('late ran', () => ran.includes('late'));
  });

  it('a retry with back-off and a RetryLaterError run again on time', async () => {
    const table = new CountingTable();
    const attempts: number[] = [];
    const r = runner(table, {
      deliver: async (j) => {
        attempts.push(j.attempt);
        if (j.attempt === 1) throw new Error('busy');
        if (j.attempt === 2) throw new RetryLaterError('later', 60);
      },
    });
    await settled(table);
    table.add(job('d1', 'deliver'));
    r.poke('deliver');
    await waitFor('three attempts', () => attempts.length === 3);
    await sleep(20);
    assert.equal(table.rows.size, 0, 'the job completed');
  });

  it('a kind with no room when the timer was armed gets its delayed jobs looked up once a slot frees', async () => {
    const table = new CountingTable();
    const ran: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const r = runner(
      table,
      {
        deliver: async (j) => {
          if (j.id === 'blocker') await gate;
          ran.push(j.id);
        },
      },
      { deliver: 1 },
    );
    await settled(table);
    table.add(job('blocker', 'deliver'));
    r.poke('deliver');
    await waitFor('blocker claimed', () => table.rows.get('blocker')?.state === 'active');
    // Full look while deliver has no room: the timer does not account for deliver's delayed jobs.
    r.poke();
    await sleep(20);
    const runAt = Date.now() + 150;
    table.add(job('delayed', 'deliver', runAt));
    r.dueAt('deliver', runAt);
    release();
    await waitFor('delayed ran', () => ran.includes('delayed'));
    assert.deepEqual(ran, ['blocker', 'delayed']);
  });

  it('pokes that arrive while a look is under way are not lost', async () => {
    const table = new CountingTable();
    const ran: string[] = [];
    const r = runner(table, { notify: async (j) => void ran.push(j.id), deliver: async (j) => void ran.push(j.id) }, { notify: 64, deliver: 64 });
    await settled(table);
    for (let i = 0; i < 50; i++) {
      const kind = i % 2 === 0 ? 'notify' : 'deliver';
      table.add(job(`j${i}`, kind));
      r.poke(kind);
      if (i % 7 === 0) await Promise.resolve();
      if (i % 11 === 0) await sleep(0);
    }
    await waitFor('all ran', () => ran.length === 50);
  });
});
