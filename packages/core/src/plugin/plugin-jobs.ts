import type { JobInfo } from '../services/job-queue.js';
import type { Duration, RetryPolicy } from '../services/retry-policy.js';

/** A run of a plugin job, as its handler sees it. */
export interface PluginJob<T> {
  /** The id given to `enqueue` (or the one it generated), without the kernel's namespace. */
  readonly id: string;
  /** The kind as defined (`forward`), without the plugin's namespace. */
  readonly kind: string;
  readonly data: T;
  /** 1 for the first run; holds (`HoldJobError`) do not count. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Epoch ms after which a failure is not retried (from the policy's `until`). */
  readonly deadline?: number;
}

/**
 * Runs one attempt. Return to finish the job; throw to fail the attempt: a plain error is retried
 * under the kind's policy, `RetryLaterError` asks for a specific delay, `PermanentJobError` fails
 * the job now, `HoldJobError` waits for a resource (until its delay or `wake(key)`) without using
 * an attempt. Honour `signal`: it aborts when the MMSC stops and the job is handed back.
 */
export type PluginJobHandler<T> = (job: PluginJob<T>, signal: AbortSignal) => Promise<void>;

export interface PluginJobOptions<T> extends RetryPolicy {
  /** Jobs of this kind run at once on one node (default 1). */
  concurrency?: number;
  /** Called once when a job ends without success (attempts or time budget used up, or permanent error). */
  onFailed?(job: PluginJob<T>, error: Error): Promise<void> | void;
}

export interface EnqueueOptions {
  /**
   * The job's id within the plugin (default: a random one). Enqueueing an id that is still pending
   * or running is a no-op, so a deterministic id makes enqueueing idempotent; a failed one is replaced.
   */
  id?: string;
  /** Run no earlier than this long from now. */
  delay?: Duration;
}

/** A kind defined by `ctx.jobs.define`, typed by its payload. */
export interface JobKindHandle<T> {
  /** The kind as the queue, the metrics (`openmmsc_jobs_*{kind}`) and the logs name it: `<plugin>/<kind>`. */
  readonly kind: string;
  /** Durably enqueues a job of this kind; resolves to its id once it is stored. */
  enqueue(data: T, options?: EnqueueOptions): Promise<string>;
}

/**
 * Durable jobs of a plugin (`ctx.jobs`), on the kernel's job queue (SQLite, PostgreSQL or BullMQ):
 * they survive a restart and, in a cluster, run on any node. Data must be JSON.
 */
export interface PluginJobs {
  /**
   * Defines a kind of job (during `setup` only): its handler and its retry policy. Kind names are
   * letters, digits, `.`, `_` and `-`, and are namespaced by the plugin's name.
   */
  define<T>(kind: string, handler: PluginJobHandler<T>, options: PluginJobOptions<T>): JobKindHandle<T>;
  /** Enqueues a job of a kind this plugin defined (see `JobKindHandle.enqueue`). */
  enqueue<T>(kind: string, data: T, options?: EnqueueOptions): Promise<string>;
  /** Removes a pending job of this plugin; false when it was not pending (unknown, running or finished). */
  cancel(id: string): Promise<boolean>;
  /** A pending, running or failed job of this plugin; undefined when unknown or done. */
  job(id: string): Promise<JobInfo | undefined>;
  /** Ends the hold of every job held with this key (`HoldJobError`); resolves to how many. */
  wake(key: string): Promise<number>;
}
