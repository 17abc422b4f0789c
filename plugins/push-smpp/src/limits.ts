/** Why a wait ended without the resource. */
export class WaitCancelled extends Error {
  constructor(readonly why: 'aborted' | 'down', message: string) {
    super(message);
    this.name = 'WaitCancelled';
  }
}

interface Waiter {
  resolve(): void;
  reject(e: WaitCancelled): void;
}

/** At most `size` holders at once; waiters are served first come, first served. */
export class Window {
  private held = 0;
  private readonly waiters: Waiter[] = [];
  /** Most holders seen at once (for tests and metrics). */
  peak = 0;

  constructor(readonly size: number) {}

  get inFlight(): number {
    return this.held;
  }

  /** Resolves with a release function once a slot is free. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new WaitCancelled('aborted', 'aborted'));
    if (this.held < this.size && this.waiters.length === 0) return Promise.resolve(this.take());
    return new Promise<() => void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new WaitCancelled('aborted', 'aborted'));
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.take());
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Fails every waiter (the link went down); holders keep their slots until they release. */
  cancelWaiters(reason: string): void {
    for (const w of this.waiters.splice(0)) w.reject(new WaitCancelled('down', reason));
  }

  private take(): () => void {
    this.held++;
    if (this.held > this.peak) this.peak = this.held;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      const next = this.waiters.shift();
      if (next) next.resolve();
    };
  }
}

/**
 * Rate limit as a token bucket in its GCRA form: each `take` reserves the next send time at once
 * (so callers are served in order) and waits until then. `burst` sends may go back to back.
 */
export class RateLimiter {
  private tat = 0; // theoretical arrival time of the next send
  private readonly interval: number;

  constructor(
    ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.interval = ratePerSecond > 0 ? 1000 / ratePerSecond : 0;
  }

  /** Milliseconds the caller must wait before sending; the slot is reserved. */
  reserve(): number {
    if (this.interval === 0) return 0;
    const t = this.now();
    const tat = Math.max(this.tat, t);
    const wait = Math.max(0, tat - (this.burst - 1) * this.interval - t);
    this.tat = tat + this.interval;
    return wait;
  }

  /** Sends nothing before `until` (the SMSC said it is throttling us). */
  pauseUntil(until: number): void {
    const next = until + (this.burst - 1) * this.interval;
    if (next > this.tat) this.tat = next;
  }

  async take(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await sleep(wait, signal);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new WaitCancelled('aborted', 'aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new WaitCancelled('aborted', 'aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
