import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AdmissionConfig } from '../config/admission-schema.js';
import type { Reason } from '../pipeline/verdict.js';
import type { JobQueue } from '../services/job-queue.js';
import { JOB_KINDS } from '../services/job-queue.js';
import type { DiskWatermark } from './disk-watermark.js';

/** Why new work is refused for now. */
export type ShedCause = 'event-loop-delay' | 'in-flight' | 'queue-depth' | 'disk-space';

export type AdmissionDecision =
  | { ok: true }
  /** Refused for now: answer with the interface's transient refusal and `Retry-After`. */
  | { ok: false; cause: ShedCause; reason: Reason; retryAfterMs: number };

const RESOLUTION_MS = 10;
/** Share of a sample the loop must have been busy for its delay to count as overload. */
const BUSY = 0.9;
const CAUSES: readonly ShedCause[] = ['event-loop-delay', 'in-flight', 'queue-depth', 'disk-space'];

export interface AdmissionDeps {
  queue: JobQueue;
  /** Submissions running on this node now. */
  inFlight: () => number;
  disk: DiskWatermark | undefined;
  registry: Registry;
  onError: (error: unknown) => void;
}

/**
 * The kernel's admission check, consulted by every ingress before the expensive part of a new
 * submission (and by `submit` itself): new work is refused while the event loop lags, too many
 * submissions run, the queue's backlog is too deep or the disk is nearly full. Retrievals and
 * acknowledgements never ask, so they go on.
 */
export class AdmissionControl {
  private readonly histogram: IntervalHistogram | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delayMs = 0;
  private lagging = false;
  private utilization: EventLoopUtilization | undefined;
  private sampledAt = 0;
  private overBefore = false;
  private waitingJobs = 0;
  private readingQueue = false;
  private readonly shed: Counter<'interface' | 'reason'>;

  constructor(
    private readonly config: AdmissionConfig,
    private readonly deps: AdmissionDeps,
  ) {
    if (config.maxEventLoopDelay > 0) this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.shed = new Counter({
      name: 'openmmsc_shed_total',
      help: 'New submissions refused for load (transient refusal), by ingress interface and reason',
      labelNames: ['interface', 'reason'],
      registers: [deps.registry],
    });
    const refusing: Gauge<'reason'> = new Gauge({
      name: 'openmmsc_admission_refusing',
      help: '1 while new submissions are refused for this reason, else 0',
      labelNames: ['reason'],
      registers: [deps.registry],
      aggregator: 'max',
      collect: () => {
        const now = this.cause();
        for (const c of CAUSES) refusing.set({ reason: c }, now === c ? 1 : 0);
      },
    });
    const delay: Gauge = new Gauge({
      name: 'openmmsc_event_loop_delay_seconds',
      help: 'Event-loop delay (99th percentile) over the last admission sample',
      registers: [deps.registry],
      aggregator: 'max',
      collect: () => delay.set(this.delayMs / 1000),
    });
  }

  start(): void {
    this.histogram?.enable();
    this.utilization = performance.eventLoopUtilization();
    this.sampledAt = performance.now();
    this.timer = setInterval(() => this.sample(), this.config.sampleInterval);
    this.timer.unref();
  }

  /** Forgets what was measured so far (the work of starting up is not load). */
  reset(): void {
    this.histogram?.reset();
    this.utilization = performance.eventLoopUtilization();
    this.sampledAt = performance.now();
    this.overBefore = false;
    this.lagging = false;
    this.delayMs = 0;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.histogram?.disable();
  }

  /** Whether a new submission may start now; a refusal is counted under `iface`. */
  check(iface: string): AdmissionDecision {
    const cause = this.cause();
    if (!cause) return { ok: true };
    this.shed.inc({ interface: iface, reason: cause });
    return { ok: false, cause, reason: { code: 'network-problem', message: this.describe(cause) }, retryAfterMs: this.config.retryAfter };
  }

  /** What refuses new work now, if anything (for `/ready` abilities). */
  cause(): ShedCause | undefined {
    const c = this.config;
    if (this.deps.disk?.current.low) return 'disk-space';
    if (c.maxInFlight > 0 && this.deps.inFlight() >= c.maxInFlight) return 'in-flight';
    if (c.maxEventLoopDelay > 0 && this.lagging) return 'event-loop-delay';
    if (c.maxQueueDepth > 0 && this.waitingJobs > c.maxQueueDepth) return 'queue-depth';
    return undefined;
  }

  describe(cause: ShedCause): string {
    switch (cause) {
      case 'disk-space':
        return `the MMSC is short of storage; try again later (${this.deps.disk?.current.detail ?? 'disk nearly full'})`;
      case 'in-flight':
        return `the MMSC is busy (${this.config.maxInFlight} messages in progress); try again shortly`;
      case 'event-loop-delay':
        return `the MMSC is overloaded (event loop ${Math.round(this.delayMs)} ms behind); try again shortly`;
      case 'queue-depth':
        return `the MMSC is overloaded (${this.waitingJobs} jobs waiting); try again shortly`;
    }
  }

  private sample(): void {
    const h = this.histogram;
    const now = performance.now();
    // How late this sample itself runs is a delay the loop had too (the histogram may not have recorded it yet).
    const late = Math.max(0, now - this.sampledAt - this.config.sampleInterval);
    this.sampledAt = now;
    if (h) {
      // Each histogram sample includes the timer's own resolution.
      const recorded = h.count > 0 ? Math.max(0, h.percentile(99) / 1e6 - RESOLUTION_MS) : 0;
      this.delayMs = Math.max(recorded, late);
      h.reset();
      const busy = performance.eventLoopUtilization(this.utilization).utilization;
      this.utilization = performance.eventLoopUtilization();
      // Behind *and* busy nearly all the time, in two samples running: one long pause (a GC, a
      // module compiled) or a moment without CPU is not overload.
      const over = this.delayMs > this.config.maxEventLoopDelay && busy >= BUSY;
      this.lagging = over && this.overBefore;
      this.overBefore = over;
    }
    if (this.config.maxQueueDepth > 0 && !this.readingQueue) {
      this.readingQueue = true;
      const queue = this.deps.queue;
      // Every sample: a queue's full statistics can mean reading its whole delayed backlog.
      const waiting = queue.dueCount ? queue.dueCount(JOB_KINDS) : queue.stats().then((stats) => JOB_KINDS.reduce((n, kind) => n + stats[kind].waiting, 0));
      waiting
        .then((n) => {
          this.waitingJobs = n;
        })
        .catch(this.deps.onError)
        .finally(() => {
          this.readingQueue = false;
        });
    }
  }
}
