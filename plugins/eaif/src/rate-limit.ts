/**
 * Submissions per second for one application: a bucket that refills continuously and holds at
 * most `burst` submissions. In-process, so a cluster's limit is per node.
 */
export class SubmissionRate {
  private available: number;
  private refilledAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.available = burst;
    this.refilledAt = now();
  }

  /** Counts one submission: 0 when allowed, else how many ms until one would be. */
  admit(): number {
    if (this.perSecond <= 0) return 0;
    const at = this.now();
    const refill = ((at - this.refilledAt) * this.perSecond) / 1000;
    this.available = Math.min(this.burst, this.available + refill);
    this.refilledAt = at;
    if (this.available < 1) return Math.ceil(((1 - this.available) * 1000) / this.perSecond);
    this.available -= 1;
    return 0;
  }
}
