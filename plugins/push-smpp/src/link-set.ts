import type { SmscLink } from './link.js';

/**
 * The plugin's links as one pool: which link a push goes to (failover or round-robin among those
 * that can take it now), how long to wait for one, when the kernel should try again, and when
 * held notifications may come back (a link came (back) into rotation).
 */
export class LinkSet {
  private rr = 0;
  private readonly listeners = new Set<() => void>();
  private readonly wasHealthy = new Map<SmscLink, boolean>();

  constructor(
    readonly links: readonly SmscLink[],
    private readonly strategy: 'failover' | 'round-robin',
    private readonly throttleRetryMs: number,
  ) {
    for (const link of links) {
      this.wasHealthy.set(link, false);
      link.on('change', () => this.onChange(link));
    }
  }

  /**
   * A link that can take a push now, else the first that can before `deadline`; undefined if none.
   * A link on probation is given to one push at a time: call `link.releaseProbe()` when done.
   */
  async pick(deadline: number, signal: AbortSignal, avoid: ReadonlySet<SmscLink> = new Set()): Promise<SmscLink | undefined> {
    for (;;) {
      const link = this.choose(avoid);
      if (link) {
        link.claimProbe();
        return link;
      }
      const left = deadline - Date.now();
      if (left <= 0 || signal.aborted) return undefined;
      // Between reconnect attempts nothing can change before the next one: hand back at once
      // (the kernel holds the push until then) instead of tying up a job slot.
      if (!this.links.some((l) => l.bound || l.state === 'connecting' || l.state === 'binding')) return undefined;
      await this.nextChange(left, signal);
    }
  }

  /** When a push that found no link should be tried again (the kernel holds it until then or `onAvailable`). */
  retryEstimate(): number {
    const now = Date.now();
    const bound = this.links.filter((l) => l.bound);
    let ms: number;
    if (bound.length > 0) {
      if (bound.every((l) => l.pacer.paused)) ms = Math.min(...bound.map((l) => l.pacer.pausedUntil - now));
      else if (bound.every((l) => l.probation)) ms = Math.min(...bound.map((l) => l.options.responseTimeoutMs));
      else ms = this.throttleRetryMs; // bound and open, but every window stayed full
    } else {
      const next = this.links.map((l) => l.nextAttemptAt).filter((t): t is number => t !== undefined);
      ms = next.length > 0 ? Math.min(...next) - now + 500 : this.links[0]!.options.reconnect.baseMs;
    }
    // Spread the held work a little so it does not all come back in the same millisecond.
    return Math.round(Math.max(100, ms) * (1 + Math.random() * 0.2));
  }

  /** Able to notify: some link is bound and not on probation (a throttled link still carries, paced). */
  availability(): { available: boolean; detail: string } {
    const available = this.links.some((l) => l.bound && !l.probation);
    return { available, detail: this.summary() };
  }

  summary(): string {
    return this.links.map((l) => `${l.name}: ${describeLink(l)}`).join('; ');
  }

  onAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private choose(avoid: ReadonlySet<SmscLink>): SmscLink | undefined {
    const open = this.links.filter((l) => l.accepting && !avoid.has(l));
    if (open.length < 2 || this.strategy !== 'round-robin') return open[0];
    return open[this.rr++ % open.length];
  }

  private nextChange(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        for (const l of this.links) l.off('change', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      for (const l of this.links) l.on('change', done);
    });
  }

  private onChange(link: SmscLink): void {
    const healthy = link.healthy;
    const before = this.wasHealthy.get(link);
    this.wasHealthy.set(link, healthy);
    if (healthy && !before) for (const listener of this.listeners) listener();
  }
}

/** A link's state for `/ready` and logs, e.g. `bound, throttled (paused 4 s, window 1/10)`. */
export function describeLink(link: SmscLink): string {
  const parts: string[] = [link.state];
  if (link.probation) parts.push(`on probation after ${link.lastError ?? 'a stall'}`);
  else if (!link.bound && link.lastError) parts.push(`(${link.lastError})`);
  if (link.bound && link.pacer.throttled) {
    const left = Math.max(0, link.pacer.pausedUntil - Date.now());
    parts.push(`throttled (${left > 0 ? `paused ${Math.ceil(left / 1000)} s, ` : ''}window ${link.pacer.limit}/${link.options.window})`);
  }
  return parts.join(', ');
}
