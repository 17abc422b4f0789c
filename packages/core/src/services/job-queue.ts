import type { DurabilityCheck } from './message-store.js';

/** Kinds of durable work that follow the store stage. */
export type JobKind = 'notify' | 'deliver' | 'report' | 'expire';
export const JOB_KINDS: readonly JobKind[] = ['notify', 'deliver', 'report', 'expire'];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface BackoffPolicy {
  /** Delay before the second attempt. */
  baseMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** 0 = none, 1 = full jitter: the delay is drawn from [(1 - jitter) × d, d]. */
  jitter: number;
}

export interface JobSpec {
  /** Unique id; enqueueing an id that is still pending is a no-op. */
  id: string;
  kind: JobKind;
  data: JsonObject;
  /** Epoch ms before which the job must not run (default: now). */
  runAt?: number;
  /** Attempts in all, including the first. */
  maxAttempts: number;
  backoff: BackoffPolicy;
}

export interface RunningJob extends JobSpec {
  /** 1 for the first run. */
  attempt: number;
}

/**
 * Handlers throw to fail an attempt: a plain error is retried with back-off until
 * `maxAttempts`; `RetryLaterError` asks for a specific delay; `PermanentJobError` fails the job now.
 * `HoldJobError` is not a failure: the job waits for a resource without using an attempt.
 */
export type JobHandler = (job: RunningJob, signal: AbortSignal) => Promise<void>;

export interface JobQueueStartOptions {
  handlers: Partial<Record<JobKind, JobHandler>>;
  /** Parallel jobs per kind on this node. */
  concurrency: Record<JobKind, number>;
  /** Called once when a job ends without success (attempts used up or permanent error). */
  onFailed(job: RunningJob, error: Error): Promise<void> | void;
}

export interface JobCounts {
  waiting: number;
  /** Scheduled for later, held jobs included. */
  delayed: number;
  active: number;
  failed: number;
}

/** One kind's backlog, for gauges: how much waits, and for how long. */
export interface JobKindStats {
  /** Due now, not running. */
  waiting: number;
  /** Scheduled for later (back-off, a future run time), not held. */
  delayed: number;
  /** Waiting for a resource (`HoldJobError`) until their hold ends or `wake`. */
  held: number;
  active: number;
  failed: number;
  /** Epoch ms since which the longest-waiting due job has been due (absent when none waits). */
  oldestWaitingSince?: number;
  /** Epoch ms since which the longest-held job has been held (absent when none is held). */
  oldestHeldSince?: number;
}

export type JobState = 'waiting' | 'delayed' | 'held' | 'active' | 'failed';

/** A job as the queue has it now. */
export interface JobInfo {
  id: string;
  kind: JobKind;
  state: JobState;
  /** Attempts used so far (holds do not count). */
  attempt: number;
  /** Epoch ms when it is due (pending jobs). */
  runAt?: number;
  /** Epoch ms since it has been held (held jobs). */
  heldSince?: number;
  lastError?: string;
}

/**
 * Durable, at-least-once job queue. Implementations: SQLite (embedded, in-process), PostgreSQL
 * (SKIP LOCKED claims under a lease) and BullMQ on Redis (cluster: any node claims any job; a job whose node died is retried elsewhere).
 */
export interface JobQueue {
  enqueue(job: JobSpec): Promise<void>;
  /** Removes a pending job; false when it was not pending (unknown, running or finished). */
  cancel(id: string): Promise<boolean>;
  start(options: JobQueueStartOptions): Promise<void>;
  /**
   * Stops claiming new jobs and waits for running ones to finish (or `graceMs` to pass; then they
   * are aborted and handed back). `enqueue` and `cancel` keep working until `close`: what is
   * enqueued meanwhile stays pending for the next start or another node.
   */
  drain(graceMs?: number): Promise<void>;
  /** Drains (if not done yet) and releases the store connection. */
  close(graceMs?: number): Promise<void>;
  counts(): Promise<JobCounts>;
  /** Backlog per kind (depth by state, oldest waiting and held). */
  stats(): Promise<Record<JobKind, JobKindStats>>;
  /** The pending, running or failed job with this id; undefined when unknown or done. */
  job(id: string): Promise<JobInfo | undefined>;
  /** Ends the hold of every job held with this key (they are due now); resolves to how many. */
  wake(key: string): Promise<number>;
  ping(): Promise<void>;
  /** Checks that the server's settings keep an enqueued job (absent: nothing to check). */
  durability?(): Promise<DurabilityCheck>;
}

export class RetryLaterError extends Error {
  readonly delayMs: number;
  constructor(message: string, delayMs: number) {
    super(message);
    this.name = 'RetryLaterError';
    this.delayMs = delayMs;
  }
}

/**
 * Not a failure of the job: a resource it needs (a push bearer, an SMSC link) is down or
 * throttling. The queue puts the job back without using an attempt and runs it again once
 * `delayMs` has passed or `wake(key)` is called, whichever comes first. Every hold is bounded
 * in time, so held work always has a run scheduled.
 */
export class HoldJobError extends Error {
  readonly delayMs: number;
  readonly key: string | undefined;
  constructor(message: string, options: { delayMs: number; key?: string }) {
    super(message);
    this.name = 'HoldJobError';
    this.delayMs = options.delayMs;
    this.key = options.key;
  }
}

export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** Exponential back-off with jitter for attempt `attempt` (1-based) that just failed. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(exp * (1 - jitter * random()));
}

/** Empty stats for every kind (a starting point for implementations). */
export function emptyJobStats(): Record<JobKind, JobKindStats> {
  const out = {} as Record<JobKind, JobKindStats>;
  for (const kind of JOB_KINDS) out[kind] = { waiting: 0, delayed: 0, held: 0, active: 0, failed: 0 };
  return out;
}

/** Recognises the queue's error classes by name too (a plugin may bundle its own copy of core). */
export function isJobError<T extends Error>(error: unknown, type: abstract new (...args: never[]) => T): error is T {
  return error instanceof type || (error instanceof Error && error.name === type.name);
}
