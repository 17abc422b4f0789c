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
  delayed: number;
  active: number;
  failed: number;
}

/**
 * Durable, at-least-once job queue. Implementations: SQLite (embedded, in-process) and BullMQ on
 * Redis (cluster: any node claims any job; a job whose node died is retried elsewhere).
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
  ping(): Promise<void>;
}

export class RetryLaterError extends Error {
  readonly delayMs: number;
  constructor(message: string, delayMs: number) {
    super(message);
    this.name = 'RetryLaterError';
    this.delayMs = delayMs;
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
