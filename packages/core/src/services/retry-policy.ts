import { parseDuration } from '../util/duration.js';
import type { BackoffPolicy, JobKind, JobSpec, JsonObject } from './job-queue.js';

/** A time span: milliseconds, or a string such as `'500ms'`, `'30s'`, `'5m'`, `'1h30m'`. */
export type Duration = number | string;

/**
 * How a durable job is retried: the one vocabulary of the kernel's own jobs (from `kernel.jobs`
 * in the config) and of plugin jobs (`ctx.jobs.define`). A failed attempt is retried after
 * `initial`, then each delay is `factor` times the previous one, at most `max`, shortened at
 * random by up to `jitter` × the delay. Retries end at whichever limit comes first:
 * `maxAttempts` attempts in all, or `until` after the job was enqueued (the last retry is made at
 * that moment at the latest). Give at least one of the two.
 */
export interface RetryPolicy {
  /** Attempts in all, including the first; `Infinity`: until it succeeds (or `until`). */
  maxAttempts?: number;
  /** Time budget from enqueueing: no retry starts later. */
  until?: Duration;
  backoff: {
    initial: Duration;
    /** Default 2. */
    factor?: number;
    max: Duration;
    /** 0 (default) = none, 1 = full: a delay d is drawn from [(1 - jitter) × d, d]. */
    jitter?: number;
  };
}

/** An attempt budget with no count limit stays in a 32-bit column (PostgreSQL `integer`). */
const UNBOUNDED_ATTEMPTS = 2 ** 31 - 1;

/** Checks a policy; throws an error naming what is wrong (plugins call `define` at setup). */
export function checkRetryPolicy(policy: RetryPolicy, what: string): void {
  const fail = (why: string) => {
    throw new Error(`${what}: invalid retry policy: ${why}`);
  };
  if (policy.maxAttempts === undefined && policy.until === undefined) fail('give maxAttempts, until, or both');
  const attempts = policy.maxAttempts;
  if (attempts !== undefined && attempts !== Infinity && !(Number.isInteger(attempts) && attempts >= 1)) fail('maxAttempts must be an integer ≥ 1 or Infinity');
  const { factor, jitter } = policy.backoff;
  if (factor !== undefined && !(factor >= 1)) fail('backoff.factor must be ≥ 1');
  if (jitter !== undefined && !(jitter >= 0 && jitter <= 1)) fail('backoff.jitter must be within 0..1');
  try {
    if (policy.until !== undefined) parseDuration(policy.until);
    if (parseDuration(policy.backoff.max) < parseDuration(policy.backoff.initial)) fail('backoff.max is below backoff.initial');
  } catch (error) {
    fail((error as Error).message);
  }
}

/** What a job carries of its policy: attempts, back-off, and the deadline `until` sets from `now`. */
export function retryFields(policy: RetryPolicy, now: number): Pick<JobSpec, 'maxAttempts' | 'backoff' | 'deadline'> {
  const b = policy.backoff;
  const backoff: BackoffPolicy = { baseMs: parseDuration(b.initial), maxMs: parseDuration(b.max), jitter: b.jitter ?? 0 };
  if (b.factor !== undefined && b.factor !== 2) backoff.factor = b.factor;
  const fields: Pick<JobSpec, 'maxAttempts' | 'backoff' | 'deadline'> = { maxAttempts: Math.min(policy.maxAttempts ?? Infinity, UNBOUNDED_ATTEMPTS), backoff };
  if (policy.until !== undefined) fields.deadline = now + parseDuration(policy.until);
  return fields;
}

/** A job of `kind` under `policy`, due at `runAt` (default: now). */
export function jobUnderPolicy(kind: JobKind, id: string, data: JsonObject, policy: RetryPolicy, now: number, runAt?: number): JobSpec {
  const spec: JobSpec = { id, kind, data, ...retryFields(policy, now) };
  if (runAt !== undefined) spec.runAt = runAt;
  return spec;
}
