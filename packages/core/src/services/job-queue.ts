import type { DurabilityCheck } from './message-store.js';

/** The kernel's own kinds of durable work, which follow the store stage. */
export type KernelJobKind = 'notify' | 'deliver' | 'report' | 'expire';
export const JOB_KINDS: readonly KernelJobKind[] = ['notify', 'deliver', 'report', 'expire'];

/**
 * A kind of job: one of the kernel's, or a plugin's, namespaced by the plugin's name
 * (`<plugin>/<kind>`, see `ctx.jobs`). Never contains `:` (BullMQ names a queue after it).
 */
export type JobKind = KernelJobKind | (string & {});

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** How delays between attempts grow, as a job carries it (see `RetryPolicy` for the authoring form). */
export interface BackoffPolicy {
  /** Delay before the second attempt. */
  baseMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** 0 = none, 1 = full jitter: the delay is drawn from [(1 - jitter) × d, d]. */
  jitter: number;
  /** Each delay is the previous one times this (default 2). */
  factor?: number;
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
  /**
   * Epoch ms after which a failed attempt is not retried (the time budget of `RetryPolicy.until`).
   * A retry that would fall later is made at this time, as the last one.
   */
  deadline?: number;
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
  /** The kinds this node runs; jobs of other kinds stay pending (for another node or a later start). */
  handlers: Partial<Record<JobKind, JobHandler>>;
  /** Parallel jobs per kind on this node (a kind with a handler and no entry runs one at a time). */
  concurrency: Partial<Record<JobKind, number>>;
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
  /**
   * Removes a pending job; false when it was not pending (unknown, running or finished).
   * `kind`, when the caller knows what the job was enqueued as, narrows the search to that kind:
   * a job of another kind is not cancelled, on every backend. A queue kept per kind (BullMQ) then
   * asks that kind's queue only, where it asked each in turn (most cancels find nothing: the job
   * ran).
   */
  cancel(id: string, kind?: JobKind): Promise<boolean>;
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
  /**
   * Jobs of these kinds that are due and waiting for a worker: what admission control reads at
   * every sample. Optional: a queue that can count these without reading its whole backlog (as
   * `stats` does) provides it; without it admission falls back to `stats`.
   */
  dueCount?(kinds: readonly JobKind[]): Promise<number>;
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
  const factor = Math.max(1, policy.factor ?? 2);
  const exp = Math.min(policy.maxMs, policy.baseMs * factor ** Math.max(0, attempt - 1));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(exp * (1 - jitter * random()));
}

/**
 * What follows a failed attempt, the same on every backend: `undefined` when the job fails for
 * good (attempts or time budget used up), else the delay before the next attempt.
 */
export function retryDelay(job: RunningJob, error: Error, now: number, random: () => number = Math.random): number | undefined {
  if (job.attempt >= job.maxAttempts) return undefined;
  if (job.deadline !== undefined && now >= job.deadline) return undefined;
  const delay = isJobError(error, RetryLaterError) ? Math.max(0, error.delayMs) : backoffDelay(job.backoff, job.attempt, random);
  return job.deadline === undefined ? delay : Math.min(delay, job.deadline - now);
}

/** Empty stats for these kinds (a starting point for implementations). */
export function emptyJobStats(kinds: Iterable<JobKind> = JOB_KINDS): Record<JobKind, JobKindStats> {
  const out = {} as Record<JobKind, JobKindStats>;
  for (const kind of kinds) out[kind] = { waiting: 0, delayed: 0, held: 0, active: 0, failed: 0 };
  return out;
}

/** The kernel's kinds and those this node has handlers for: what stats always report. */
export function knownKinds(options: JobQueueStartOptions | undefined): Set<JobKind> {
  return new Set<JobKind>([...JOB_KINDS, ...Object.keys(options?.handlers ?? {})]);
}

/** Recognises the queue's error classes by name too (a plugin may bundle its own copy of core). */
export function isJobError<T extends Error>(error: unknown, type: abstract new (...args: never[]) => T): error is T {
  return error instanceof type || (error instanceof Error && error.name === type.name);
}
