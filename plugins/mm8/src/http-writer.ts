import type { JobKindHandle, PluginJobs } from '@openmmsc/core';
import type { Cdr } from './cdr.js';

export interface HttpBatchOptions {
  url: string;
  headers: Record<string, string>;
  /** `json`: a JSON array; `ndjson`: one JSON object per line. */
  format: 'json' | 'ndjson';
  batchSize: number;
  flushIntervalMs: number;
  timeoutMs: number;
  /** Attempts whose delays double; later ones keep the last delay (a batch is never given up). */
  attempts: number;
  retryBaseMs: number;
  /** Records waiting for their batch at most; beyond it the oldest are dropped (and counted). */
  maxQueue: number;
  onDrop?: (count: number) => void;
  onError?: (error: Error, attempt: number) => void;
}

export class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`billing endpoint answered HTTP ${status}`);
    this.name = 'HttpStatusError';
  }
}

/** A batch on its way to the endpoint: a durable job whose id is the batch's Idempotency-Key. */
interface BatchJob {
  records: Cdr[];
}

/**
 * Sends CDRs to a billing endpoint in batches: a batch leaves when it is full or after
 * `flushIntervalMs`, as a durable job (kind `http-batch-<writer index>`) that POSTs it and is
 * retried with exponential back-off until the endpoint accepts it, across restarts. The job id is
 * the batch's `Idempotency-Key` (kept across retries) so the endpoint can drop duplicates after a
 * timeout that hid a success.
 */
export class HttpBatchWriter {
  private queue: Cdr[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly batches: JobKindHandle<BatchJob>;
  /** Batches delivered (for tests and metrics). */
  sentBatches = 0;
  sentRecords = 0;

  constructor(
    private readonly o: HttpBatchOptions,
    jobs: PluginJobs,
    kind: string,
  ) {
    this.batches = jobs.define<BatchJob>(kind, (job, signal) => this.post(job.data.records, job.id, job.attempt, signal), {
      maxAttempts: Infinity,
      backoff: { initial: o.retryBaseMs, factor: 2, max: o.retryBaseMs * 2 ** Math.max(0, o.attempts - 1) },
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.o.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues a record; resolves at once (its batch leaves within `flushIntervalMs`, see the README). */
  append(cdr: Cdr): Promise<void> {
    if (this.closed) return Promise.reject(new Error('CDR HTTP writer is closed'));
    this.queue.push(cdr);
    if (this.queue.length > this.o.maxQueue) {
      const dropped = this.queue.length - this.o.maxQueue;
      this.queue.splice(0, dropped);
      this.o.onDrop?.(dropped);
    }
    if (this.queue.length >= this.o.batchSize) void this.flush();
    return Promise.resolve();
  }

  /** Records not yet in a batch job. */
  get pending(): number {
    return this.queue.length;
  }

  /** Hands what is queued to the job queue, batch by batch (a batch the store refused waits for the next flush). */
  flush(): Promise<void> {
    this.flushing ??= this.run().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Stops the timer and hands what is left to the job queue (it is sent after a restart if not now). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
  }

  private async run(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.o.batchSize);
      try {
        await this.batches.enqueue({ records: batch });
      } catch (error) {
        this.queue.unshift(...batch);
        this.o.onError?.(error as Error, 0);
        return;
      }
    }
  }

  /** One attempt; throws to have the job retried. */
  private async post(records: Cdr[], key: string, attempt: number, signal: AbortSignal): Promise<void> {
    const body = this.o.format === 'ndjson' ? records.map((r) => JSON.stringify(r)).join('\n') + '\n' : JSON.stringify(records);
    try {
      const response = await fetch(this.o.url, {
        method: 'POST',
        headers: {
          'content-type': this.o.format === 'ndjson' ? 'application/x-ndjson' : 'application/json',
          'idempotency-key': key,
          ...this.o.headers,
        },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.o.timeoutMs)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new HttpStatusError(response.status);
    } catch (error) {
      this.o.onError?.(error as Error, attempt);
      throw error;
    }
    this.sentBatches++;
    this.sentRecords += records.length;
  }
}
