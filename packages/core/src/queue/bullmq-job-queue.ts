import { DelayedError, Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Cluster } from 'ioredis';
import { createRedisClient, redisMode, redisOptions, type RedisConnectionConfig } from '../redis/redis-connection.js';
import { checkRedisDurability, type RedisDurability } from '../redis/redis-durability.js';
import type { DurabilityCheck } from '../services/message-store.js';
import {
  HoldJobError,
  JOB_KINDS,
  PermanentJobError,
  emptyJobStats,
  isJobError,
  retryDelay,
  type JobCounts,
  type JobInfo,
  type JobKind,
  type JobKindStats,
  type JobQueue,
  type JobQueueStartOptions,
  type JobSpec,
  type RunningJob,
} from '../services/job-queue.js';
import { BullmqHolds } from './bullmq-holds.js';
import { closeBullmqQueue } from './bullmq-queue-close.js';

const DEFAULT_GRACE_MS = 10_000;
/** How long a close waits for a queue still connecting (see closeBullmqQueue). */
const QUEUE_SETTLE_MS = 2000;
const BACKOFF_TYPE = 'openmmsc';
/** Failed jobs kept per kind for inspection. */
const KEEP_FAILED = 1000;

export interface BullmqJobQueueOptions {
  /** One server, a Sentinel-monitored master or a Redis Cluster. */
  redis: RedisConnectionConfig;
  /** Redis key prefix; several deployments (or test runs) can share one server. On a Cluster it becomes a hash tag. */
  prefix?: string;
  /**
   * How long a claimed job stays locked without a heartbeat (renewed every half of it) before
   * another node's stalled-job check, run every second, takes it over.
   */
  leaseMs?: number;
  /** What `durability()` checks the server against. */
  durability?: RedisDurability;
  onError?: (error: unknown) => void;
}

const DEFAULT_LEASE_MS = 3000;

/** What a BullMQ job carries: the spec, so retries and `onFailed` see the original request. */
interface Payload {
  spec: Omit<JobSpec, 'kind'>;
  /** Set while the job waits for a resource (HoldJobError). */
  hold?: { since: number; until: number; key?: string };
}

/** BullMQ rejects ':' and all-digit custom ids; this keeps ids readable and reversible. */
export function encodeJobId(id: string): string {
  return `j_${id.replace(/[%:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/**
 * BullMQ on Redis: one queue and one worker per job kind. Workers on every node compete for
 * jobs; a job whose node dies is moved back by another node's stalled-job check.
 */
export class BullmqJobQueue implements JobQueue {
  readonly #opts: BullmqJobQueueOptions;
  readonly #queues = new Map<JobKind, Queue<Payload>>();
  readonly #workers: Worker<Payload>[] = [];
  readonly #running = new Map<string, AbortController>();
  /** `onFailed` calls in flight, awaited by `close`. */
  readonly #failing = new Set<Promise<void>>();
  /** Original errors behind the `UnrecoverableError`s handed to BullMQ, for `onFailed`. */
  readonly #permanent = new Map<string, Error>();
  /** The delay `retryDelay` chose for a failed attempt, read back by BullMQ's back-off strategy. */
  readonly #delays = new WeakMap<object, number>();
  readonly #onError: (error: unknown) => void;
  readonly #holds: BullmqHolds;
  /** On a Redis Cluster, the one client every queue and worker shares (workers duplicate it to block). */
  readonly #cluster: Cluster | undefined;
  readonly #prefix: string;
  #closing = false;
  #drained: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: BullmqJobQueueOptions) {
    this.#opts = options;
    this.#onError = options.onError ?? ((error) => console.error('openmmsc bullmq job queue:', error));
    const prefix = options.prefix ?? 'openmmsc';
    if (redisMode(options.redis) === 'cluster') {
      // BullMQ's scripts touch several keys of a queue: a hash tag keeps them all in one slot.
      this.#prefix = prefix.includes('{') ? prefix : `{${prefix}}`;
      this.#cluster = createRedisClient(options.redis, { maxRetriesPerRequest: null }) as Cluster;
      this.#cluster.on('error', this.#onError);
    } else {
      this.#prefix = prefix;
    }
    this.#holds = new BullmqHolds(this.#prefix);
    for (const kind of JOB_KINDS) this.#queue(kind);
  }

  #connection(worker: boolean): ConnectionOptions {
    if (this.#cluster) return this.#cluster;
    // Workers block on Redis: their commands must wait out a fail-over instead of failing.
    return redisOptions(this.#opts.redis, worker ? { maxRetriesPerRequest: null } : {}) as ConnectionOptions;
  }

  get #leaseMs(): number {
    return Math.max(300, this.#opts.leaseMs ?? DEFAULT_LEASE_MS);
  }

  async enqueue(job: JobSpec): Promise<void> {
    const queue = this.#queue(job.kind);
    const jobId = encodeJobId(job.id);
    // BullMQ ignores an add whose id exists in any state; a failed job is replaced instead. One
    // ZSCORE asks just that: BullMQ's state probe would also scan the wait and active lists,
    // which costs as much as the backlog is long, on every enqueue.
    if ((await (await queue.client).zscore(queue.toKey('failed'), jobId)) !== null) await queue.remove(jobId);
    const spec: Payload['spec'] = { id: job.id, data: job.data, maxAttempts: job.maxAttempts, backoff: job.backoff };
    if (job.runAt !== undefined) spec.runAt = job.runAt;
    if (job.deadline !== undefined) spec.deadline = job.deadline;
    await queue.add(
      job.kind,
      { spec },
      {
        jobId,
        delay: Math.max(0, (job.runAt ?? 0) - Date.now()),
        attempts: Math.max(1, job.maxAttempts),
        backoff: { type: BACKOFF_TYPE },
        removeOnComplete: true,
        removeOnFail: { count: KEEP_FAILED },
      },
    );
  }

  async cancel(id: string, kind?: JobKind): Promise<boolean> {
    const jobId = encodeJobId(id);
    for (const queue of kind === undefined ? this.#queues.values() : [this.#queue(kind)]) {
      // Most cancels find nothing (the job already ran and was removed, or belongs to another
      // kind): the job's hash (every job has a `name` field) answers that in O(1), before
      // BullMQ's state probe scans lists.
      if ((await (await queue.client).hexists(queue.toKey(jobId), 'name')) === 0) continue;
      const state = await queue.getJobState(jobId);
      if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') continue;
      try {
        // Fails when a worker has just locked the job: it is then running, not pending.
        const removed = (await queue.remove(jobId)) === 1;
        if (removed) await this.#holds.release(await queue.client, queue.name, jobId);
        return removed;
      } catch {
        return false;
      }
    }
    return false;
  }

  async start(options: JobQueueStartOptions): Promise<void> {
    if (this.#workers.length > 0) throw new Error('job queue already started');
    if (this.#closing) throw new Error('job queue is closed');
    for (const [kind, handler] of Object.entries(options.handlers)) {
      const concurrency = options.concurrency[kind] ?? 1;
      this.#queue(kind);
      if (!handler || concurrency < 1) continue;
      const worker = new Worker<Payload>(kind, (job, token) => this.#process(kind, job, token, options), {
        connection: this.#connection(true),
        prefix: this.#prefix,
        concurrency,
        lockDuration: this.#leaseMs,
        stalledInterval: Math.min(1000, this.#leaseMs),
        maxStalledCount: 2,
        settings: {
          // #process already decided the delay (retryDelay: the same rule as the other backends).
          backoffStrategy: (_attemptsMade, _type, err) => (err && this.#delays.get(err)) ?? 1000,
        },
      });
      worker.on('error', this.#onError);
      worker.on('failed', (job, error) => {
        // BullMQ sets finishedOn only when it gives up (attempts used or unrecoverable).
        if (!job?.finishedOn) return;
        const call = this.#failed(kind, job, error, options).finally(() => this.#failing.delete(call));
        this.#failing.add(call);
      });
      this.#workers.push(worker);
    }
    await Promise.all(this.#workers.map((w) => w.waitUntilReady()));
  }

  drain(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.#drained ??= this.#drain(graceMs);
    return this.#drained;
  }

  close(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.#closed ??= this.drain(graceMs)
      .then(() => Promise.all([...this.#queues.values()].map((q) => closeBullmqQueue(q, QUEUE_SETTLE_MS))))
      .then(async () => {
        await this.#cluster?.quit().catch(() => this.#cluster?.disconnect());
      });
    return this.#closed;
  }

  async counts(): Promise<JobCounts> {
    const total: JobCounts = { waiting: 0, delayed: 0, active: 0, failed: 0 };
    for (const queue of this.#queues.values()) {
      const c = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed');
      total.waiting += (c['waiting'] ?? 0) + (c['prioritized'] ?? 0);
      total.delayed += c['delayed'] ?? 0;
      total.active += c['active'] ?? 0;
      total.failed += c['failed'] ?? 0;
    }
    return total;
  }

  async stats(): Promise<Record<JobKind, JobKindStats>> {
    const out = emptyJobStats(this.#queues.keys());
    const now = Date.now();
    for (const [kind, queue] of this.#queues) {
      const c = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed');
      const held = await this.#holds.summary(await queue.client, kind);
      // Held jobs sit in BullMQ's delayed set until their hold ends.
      const s: JobKindStats = {
        waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0),
        delayed: Math.max(0, (c['delayed'] ?? 0) - held.held),
        held: Math.min(held.held, c['delayed'] ?? 0),
        active: c['active'] ?? 0,
        failed: c['failed'] ?? 0,
      };
      if (held.oldestSince !== undefined) s.oldestHeldSince = held.oldestSince;
      // The wait list is FIFO: its far end is the job that has waited longest.
      const [oldest] = (await queue.getJobs(['wait'], 0, 0, true)) as Job<Payload>[];
      if (oldest) s.oldestWaitingSince = Math.min(now, dueAt(oldest));
      out[kind] = s;
    }
    return out;
  }

  async job(id: string): Promise<JobInfo | undefined> {
    const jobId = encodeJobId(id);
    for (const [kind, queue] of this.#queues) {
      const job = (await queue.getJob(jobId)) as Job<Payload> | undefined;
      if (!job) continue;
      const state = await job.getState();
      const hold = job.data.hold;
      const info: JobInfo = { id, kind, state: 'waiting', attempt: job.attemptsMade };
      if (state === 'active' || state === 'failed') info.state = state;
      else if (state === 'delayed') info.state = hold ? 'held' : 'delayed';
      else if (state !== 'waiting' && state !== 'prioritized') return undefined;
      if (info.state !== 'active' && info.state !== 'failed') info.runAt = dueAt(job);
      if (hold && info.state !== 'failed') info.heldSince = hold.since;
      if (job.failedReason) info.lastError = job.failedReason;
      return info;
    }
    return undefined;
  }

  async wake(key: string): Promise<number> {
    const client = await this.#queue('notify').client;
    let woken = 0;
    for (const { kind, jobId } of await this.#holds.take(client, key)) {
      const queue = this.#queues.get(kind as JobKind);
      const job = queue && ((await queue.getJob(jobId)) as Job<Payload> | undefined);
      if (!job?.data.hold) continue;
      try {
        await job.promote();
        woken++;
      } catch {
        // Not delayed any more: it is running or already due.
      }
    }
    return woken;
  }

  async durability(): Promise<DurabilityCheck> {
    // BullMQ's own clients are not ioredis to its callers; a short-lived one asks the same servers.
    const client = this.#cluster ?? createRedisClient(this.#opts.redis, { maxRetriesPerRequest: 1 });
    if (client !== this.#cluster) client.on('error', () => {});
    try {
      return await checkRedisDurability(client, this.#opts.durability ?? 'always');
    } finally {
      if (client !== this.#cluster) client.disconnect();
    }
  }

  async ping(): Promise<void> {
    const client = await this.#queue('notify').client;
    // Any round trip proves the server answers; IRedisClient has no PING.
    await client.get(`${this.#prefix}:ping`);
  }

  /** The BullMQ queue of a kind, opened on first use (plugins define kinds of their own). */
  #queue(kind: JobKind): Queue<Payload> {
    let queue = this.#queues.get(kind);
    if (!queue) {
      queue = new Queue<Payload>(kind, { connection: this.#connection(false), prefix: this.#prefix });
      queue.on('error', this.#onError);
      this.#queues.set(kind, queue);
    }
    return queue;
  }

  async #process(kind: JobKind, job: Job<Payload>, token: string | undefined, options: JobQueueStartOptions): Promise<void> {
    const handler = options.handlers[kind];
    if (!handler) throw new UnrecoverableError(`no handler for ${kind}`);
    const controller = new AbortController();
    const key = job.id ?? '';
    this.#running.set(key, controller);
    try {
      await handler(this.#runningJob(kind, job, job.attemptsMade + 1), controller.signal);
      if (job.data.hold) await this.#holds.release(await this.#queue(kind).client, kind, key);
    } catch (error) {
      if (this.#closing && controller.signal.aborted) {
        // Interrupted by shutdown: hand the job back without charging an attempt.
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      if (isJobError(error, HoldJobError)) {
        await this.#hold(kind, job, token, error);
        throw new DelayedError();
      }
      if (job.data.hold) {
        // A real failure ends the hold: the job is back on its attempt budget.
        await this.#holds.release(await this.#queue(kind).client, kind, key);
        await job.updateData({ spec: job.data.spec });
      }
      const failure = error instanceof Error ? error : new Error(String(error));
      const delay = isJobError(failure, PermanentJobError) ? undefined : retryDelay(this.#runningJob(kind, job, job.attemptsMade + 1), failure, Date.now());
      if (delay === undefined) {
        this.#permanent.set(key, failure);
        throw new UnrecoverableError(failure.message);
      }
      this.#delays.set(failure, delay);
      throw failure;
    } finally {
      this.#running.delete(key);
    }
  }

  /** Back to the delayed set until the hold ends, without using an attempt. */
  async #hold(kind: JobKind, job: Job<Payload>, token: string | undefined, hold: HoldJobError): Promise<void> {
    const now = Date.now();
    const since = job.data.hold?.since ?? now;
    const until = now + Math.max(0, hold.delayMs);
    const data: Payload = { spec: job.data.spec, hold: hold.key === undefined ? { since, until } : { since, until, key: hold.key } };
    await job.updateData(data);
    await this.#holds.hold(await this.#queue(kind).client, kind, job.id ?? '', since, hold.key);
    await job.moveToDelayed(until, token);
  }

  async #failed(kind: JobKind, job: Job<Payload>, error: Error, options: JobQueueStartOptions): Promise<void> {
    const key = job.id ?? '';
    const original = this.#permanent.get(key) ?? error;
    this.#permanent.delete(key);
    try {
      await options.onFailed(this.#runningJob(kind, job, job.attemptsMade), original);
    } catch (callbackError) {
      this.#onError(callbackError);
    }
  }

  #runningJob(kind: JobKind, job: Job<Payload>, attempt: number): RunningJob {
    const { spec } = job.data;
    return { ...spec, kind, attempt };
  }

  async #drain(graceMs: number): Promise<void> {
    this.#closing = true;
    // Closing a worker stops it claiming at once and resolves when its active jobs have ended.
    const workersClosed = Promise.all(this.#workers.map((w) => w.close()));
    if (!(await this.#within(workersClosed, graceMs))) {
      for (const controller of this.#running.values()) controller.abort(new Error('job queue closing'));
      // Handlers that ignore the signal keep their lock until it expires; then another node
      // (or the next start) retries them. We stop waiting for them here.
      if (!(await this.#within(workersClosed, Math.min(graceMs, 1000)))) {
        this.#onError(new Error(`job queue closed with ${this.#running.size} handler(s) still running`));
      }
    }
    await Promise.all(this.#failing);
  }

  async #within(promise: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
    const settled = await Promise.race([promise.then(() => true), timeout]);
    clearTimeout(timer);
    return settled;
  }
}

/** When a BullMQ job became (or becomes) due: its hold's end, else its last run plus its delay. */
function dueAt(job: Job<Payload>): number {
  if (job.data.hold) return job.data.hold.until;
  return (job.processedOn ?? job.timestamp) + (job.delay ?? 0);
}
