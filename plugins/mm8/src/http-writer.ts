import { randomUUID } from 'node:crypto';
import type { Cdr } from './cdr.js';

export interface HttpBatchOptions {
  url: string;
  headers: Record<string, string>;
  /** `json`: a JSON array; `ndjson`: one JSON object per line. */
  format: 'json' | 'ndjson';
  batchSize: number;
  flushIntervalMs: number;
  timeoutMs: number;
  /** Attempts per batch before it is put back and tried at the next flush. */
  attempts: number;
  retryBaseMs: number;
  /** Records kept in memory at most; beyond it the oldest are dropped (and counted). */
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

/**
 * Sends CDRs to a billing endpoint in batches: a batch leaves when it is full or after
 * `flushIntervalMs`; a failed POST is retried with exponential back-off, then put back at the
 * head of the queue. Each batch carries an `Idempotency-Key` (kept across retries) so the
 * endpoint can drop duplicates after a timeout that hid a success.
 */
export class HttpBatchWriter {
  private queue: Array<{ cdr: Cdr; batchKey?: string }> = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  /** Batches delivered (for tests and metrics). */
  sentBatches = 0;
  sentRecords = 0;

  constructor(private readonly o: HttpBatchOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.o.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues a record; resolves at once (delivery is asynchronous, see the README). */
  append(cdr: Cdr): Promise<void> {
    if (this.closed) return Promise.reject(new Error('CDR HTTP writer is closed'));
    this.queue.push({ cdr });
    if (this.queue.length > this.o.maxQueue) {
      const dropped = this.queue.length - this.o.maxQueue;
      this.queue.splice(0, dropped);
      this.o.onDrop?.(dropped);
    }
    if (this.queue.length >= this.o.batchSize) void this.flush();
    return Promise.resolve();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Sends what is queued, batch by batch, until the queue is empty or a batch fails for good. */
  flush(): Promise<void> {
    this.flushing ??= this.run().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Stops the timer and tries to send what is left, for at most `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.race([this.flush(), new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  private async run(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.o.batchSize);
      const key = batch[0]?.batchKey ?? randomUUID();
      for (const b of batch) b.batchKey = key;
      const ok = await this.post(batch.map((b) => b.cdr), key);
      if (!ok) {
        this.queue.unshift(...batch);
        return;
      }
      this.sentBatches++;
      this.sentRecords += batch.length;
    }
  }

  private async post(records: Cdr[], key: string): Promise<boolean> {
    const body = this.o.format === 'ndjson' ? records.map((r) => JSON.stringify(r)).join('\n') + '\n' : JSON.stringify(records);
    for (let attempt = 1; attempt <= this.o.attempts; attempt++) {
      try {
        const response = await fetch(this.o.url, {
          method: 'POST',
          headers: {
            'content-type': this.o.format === 'ndjson' ? 'application/x-ndjson' : 'application/json',
            'idempotency-key': key,
            ...this.o.headers,
          },
          body,
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return true;
        throw new HttpStatusError(response.status);
      } catch (error) {
        this.o.onError?.(error as Error, attempt);
        if (attempt < this.o.attempts) await new Promise((r) => setTimeout(r, this.o.retryBaseMs * 2 ** (attempt - 1)));
      }
    }
    return false;
  }
}
