/**
 * An in-process token bucket: `rate` tokens per second, at most `capacity` saved up, refilled
 * continuously. Per-client submission rates (MM7 VASPs, EAIF applications) use it; being in
 * process, a cluster's limit is per node (the kernel's shared counters are for limits that must
 * hold across nodes).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Takes one token: 0 when granted, else the milliseconds until one is available. A rate of 0 is unlimited. */
  take(): number {
    if (this.rate <= 0) return 0;
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}
