import type { JobHandler, JobKind, JobQueue, JobQueueStartOptions, JobSpec, RunningJob } from '../../src/services/job-queue.js';

/** One place to keep jobs (a file, a Redis prefix); `open` may be called again to reopen it. */
export interface QueueFixture {
  open(): Promise<JobQueue>;
}

// Timing-based assertions only check lower bounds (never "fast enough").
export const SLACK_MS = 5;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function spec(id: string, extra: Partial<JobSpec> = {}): JobSpec {
  return { id, kind: 'notify', data: { n: 1, s: 'x', list: [1, 'a'] }, maxAttempts: 3, backoff: { baseMs: 20, maxMs: 1000, jitter: 0 }, ...extra };
}

export function startOptions(
  handlers: Partial<Record<JobKind, JobHandler>>,
  onFailed: JobQueueStartOptions['onFailed'] = () => {},
  concurrency: Partial<Record<JobKind, number>> = {},
): JobQueueStartOptions {
  return { handlers, onFailed, concurrency: { notify: 4, deliver: 4, report: 4, expire: 4, ...concurrency } };
}

/** One run of a recorded handler: which attempt it was, and when it started. */
export interface RecordedRun {
  attempt: number;
  at: number;
}

/**
 * Starts `queue` with one handler, for `kind`, that records each run before `then` decides how it
 * ends (return, or throw to retry, hold or fail); also records each job that failed for good.
 */
export async function startRecording(
  queue: JobQueue,
  kind: JobKind,
  then: (job: RunningJob, runs: readonly RecordedRun[]) => void | Promise<void>,
): Promise<{ runs: RecordedRun[]; failed: { job: RunningJob; error: Error }[] }> {
  const runs: RecordedRun[] = [];
  const failed: { job: RunningJob; error: Error }[] = [];
  const handler: JobHandler = async (job) => {
    runs.push({ attempt: job.attempt, at: Date.now() });
    await then(job, runs);
  };
  await queue.start(startOptions({ [kind]: handler }, (job, error) => void failed.push({ job, error })));
  return { runs, failed };
}

/** A handler that takes `ms` per run, showing whether a run has started and whether one has finished. */
export function slowRun(ms: number): { started: boolean; finished: boolean; run(): Promise<void> } {
  const state = {
    started: false,
    finished: false,
    async run(): Promise<void> {
      state.started = true;
      await sleep(ms);
      state.finished = true;
    },
  };
  return state;
}
