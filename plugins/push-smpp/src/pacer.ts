import { EventEmitter } from 'node:events';
import { WaitCancelled } from './limits.js';

export interface PacerOptions {
  /** Most submit_sm in flight (the link's configured `window`); the limit never grows past it. */
  window: number;
  /** Pause after the first throttling answer of an episode. */
  backoffBaseMs: number;
  /** Longest pause while the SMSC keeps throttling. */
  backoffMaxMs: number;
  now?: () => number;
}

/** A place in the window; `epoch` tells answers to the current episode from stale ones. */
export interface Slot {
  readonly epoch: number;
  release(): void;
}

interface Waiter {
  grant(): void;
  fail(e: WaitCancelled): void;
}

export interface PacerEvents {
  /** A throttling answer paused the link (a new pause, or a longer one). */
  throttle: [];
  /** A pause ended: sends may go again. */
  open: [];
  /** The SMSC accepted a submit after throttling: the episode is over. */
  clear: [];
}

/**
 * Congestion control for one SMSC link, AIMD as TCP does it. At most `limit` submit_sm are in
 * flight. A throttling answer (ESME_RTHROTTLED, ESME_RMSGQFUL) halves the limit and pauses the
 * link; if the first submit after the pause is throttled too, the pause doubles (up to
 * `backoffMaxMs`), so a throttling SMSC sees one probe per pause, not the whole backlog. Each
 * accepted submit grows the limit back by one per limit's worth of answers. Answers to submits
 * sent before the current episode began do not count twice.
 */
export class LinkPacer extends EventEmitter<PacerEvents> {
  /** Current window (1 … `window`). */
  limit: number;
  held = 0;
  /** Most in flight at once (for tests and metrics). */
  peak = 0;
  /** No submit before this (epoch ms). */
  pausedUntil = 0;
  private backoff: number;
  private episode = false;
  private epoch = 0;
  private acks = 0;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: PacerOptions) {
    super();
    this.limit = options.window;
    this.backoff = options.backoffBaseMs;
    this.now = options.now ?? Date.now;
  }

  get paused(): boolean {
    return this.now() < this.pausedUntil;
  }

  /** True from a throttling answer until the next accepted submit. */
  get throttled(): boolean {
    return this.episode;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * A slot once the window has room and no pause is on; waiters are served in order. Rejects
   * with `WaitCancelled` ('busy' at the deadline, 'aborted', or 'down' from `cancelWaiters`).
   */
  acquire(options: { signal?: AbortSignal; deadline?: number } = {}): Promise<Slot> {
    const { signal, deadline } = options;
    if (signal?.aborted) return Promise.reject(new WaitCancelled('aborted', 'aborted'));
    if (this.waiters.length === 0 && this.canSend()) return Promise.resolve(this.take());
    return new Promise<Slot>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const onAbort = () => {
        leave();
        reject(new WaitCancelled('aborted', 'aborted'));
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          resolve(this.take());
        },
        fail: (e) => {
          leave();
          reject(e);
        },
      };
      if (deadline !== undefined) {
        timer = setTimeout(() => waiter.fail(new WaitCancelled('busy', 'no room on the link before the deadline')), Math.max(0, deadline - this.now()));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  /** The SMSC throttled the submit sent in `slot`. */
  onThrottle(slot: Slot): void {
    if (slot.epoch !== this.epoch) return; // sent before we knew: the same episode
    this.epoch++;
    this.backoff = this.episode ? Math.min(this.options.backoffMaxMs, this.backoff * 2) : this.options.backoffBaseMs;
    this.episode = true;
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.acks = 0;
    this.pausedUntil = this.now() + this.backoff;
    this.schedule();
    this.emit('throttle');
  }

  /** The SMSC accepted a submit. */
  onSuccess(): void {
    if (this.episode) {
      this.episode = false;
      this.backoff = this.options.backoffBaseMs;
      this.emit('clear');
    }
    if (++this.acks >= this.limit) {
      this.acks = 0;
      this.limit = Math.min(this.options.window, this.limit + 1);
    }
    this.dispatch();
  }

  /** Allows one submit at a time until answers grow the window again (a link on probation). */
  narrow(): void {
    this.limit = 1;
    this.acks = 0;
  }

  /** Fails every waiter (the link went down); holders keep their slots until they release. */
  cancelWaiters(reason: string): void {
    for (const w of [...this.waiters]) w.fail(new WaitCancelled('down', reason));
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private canSend(): boolean {
    return this.held < this.limit && !this.paused;
  }

  private take(): Slot {
    this.held++;
    if (this.held > this.peak) this.peak = this.held;
    let released = false;
    return {
      epoch: this.epoch,
      release: () => {
        if (released) return;
        released = true;
        this.held--;
        this.dispatch();
      },
    };
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.canSend()) this.waiters[0]!.grant();
  }

  /** Wakes the waiters when a pause ends. */
  private schedule(): void {
    clearTimeout(this.timer);
    const wait = this.pausedUntil - this.now();
    if (wait <= 0) return this.dispatch();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.emit('open');
      this.dispatch();
    }, wait);
  }
}
