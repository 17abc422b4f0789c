/** Why a wait ended without the resource: the caller gave up, the link went down, or no room came in time. */
export class WaitCancelled extends Error {
  constructor(readonly why: 'aborted' | 'down' | 'busy', message: string) {
    super(message);
    this.name = 'WaitCancelled';
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
