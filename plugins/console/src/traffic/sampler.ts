import type { Registry } from 'prom-client';
import { readMetric, sumBy, type MetricValue } from './read-metrics.js';

/** One sample: a value per series name (`submitted mm1 accepted`, `queued notify`, …). */
export interface TrafficPoint {
  at: number;
  values: Record<string, number>;
}

export type TrafficRange = 'hour' | 'day';

/** Series groups, as the charts show them. */
export const GROUPS = {
  submitted: 'Messages submitted per second, by interface and outcome',
  outcome: 'Recipients reaching a final state per second',
  latency: 'm-send-conf latency (ms): mean and p95 over the interval',
  queued: 'Jobs due or held (the backlog), by kind',
} as const;

const HOUR_MS = 3_600_000;
const DAY_POINTS = 288;

/**
 * Samples this node's metrics every `sampleMs` into two rings: the last hour at full resolution,
 * the last day averaged into 5-minute points. Counters become rates over the interval.
 */
export class TrafficSampler {
  private readonly hour: TrafficPoint[] = [];
  private readonly day: TrafficPoint[] = [];
  private pendingDay: TrafficPoint[] = [];
  private last: { at: number; counters: Map<string, number>; buckets: Map<string, number> } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly sampleMs: number,
    private readonly now: () => number,
    /** Told of each point as it is made (the cluster view publishes them). */
    private readonly onPoint?: (range: TrafficRange, point: TrafficPoint) => void,
  ) {}

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.sampleMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  points(range: TrafficRange): TrafficPoint[] {
    return range === 'hour' ? this.hour : this.day;
  }

  async sample(): Promise<void> {
    const at = this.now();
    const [submissions, transitions, mm1, queued] = await Promise.all([
      readMetric(this.registry, 'openmmsc_submissions_total'),
      readMetric(this.registry, 'openmmsc_recipient_transitions_total'),
      readMetric(this.registry, 'openmmsc_mm1_request_duration_seconds'),
      readMetric(this.registry, 'openmmsc_jobs_queued'),
    ]);
    const counters = new Map<string, number>();
    for (const [k, v] of sumBy(submissions, (l) => `submitted ${l.interface} ${l.status}`)) counters.set(k, v);
    for (const [k, v] of sumBy(transitions, (l) => (['delivered', 'forwarded', 'rejected', 'expired'].includes(String(l.state)) ? `outcome ${l.state}` : undefined))) counters.set(k, v);
    const buckets = sendBuckets(mm1);
    const values: Record<string, number> = {};
    // The backlog is what is due now or held for a resource; delayed jobs (an expiry, a retry
    // later, a scheduled delivery) are the plan, one per message, and no sign of trouble.
    for (const [k, v] of sumBy(queued, (l) => (l.state === 'waiting' || l.state === 'held' ? `queued ${l.kind}` : undefined))) values[k] = v;
    if (this.last) {
      const seconds = Math.max(0.001, (at - this.last.at) / 1000);
      for (const [k, v] of counters) values[k] = round(Math.max(0, v - (this.last.counters.get(k) ?? 0)) / seconds);
      Object.assign(values, latency(buckets, this.last.buckets));
    }
    this.last = { at, counters, buckets };
    this.push({ at, values });
  }

  private push(point: TrafficPoint): void {
    this.hour.push(point);
    this.onPoint?.('hour', point);
    while (this.hour.length > 0 && this.hour[0]!.at < point.at - HOUR_MS) this.hour.shift();
    this.pendingDay.push(point);
    if (point.at - this.pendingDay[0]!.at >= 300_000) {
      const day = average(this.pendingDay);
      this.day.push(day);
      this.onPoint?.('day', day);
      this.pendingDay = [];
      if (this.day.length > DAY_POINTS) this.day.shift();
    }
  }
}

/** Cumulative bucket counts (`le` → count), `sum` and `count` of the m-send-req requests. */
function sendBuckets(values: readonly MetricValue[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) {
    if (v.labels.kind !== 'send') continue;
    if (v.metricName?.endsWith('_bucket')) out.set(String(v.labels.le), v.value);
    else if (v.metricName?.endsWith('_sum')) out.set('sum', v.value);
    else if (v.metricName?.endsWith('_count')) out.set('count', v.value);
  }
  return out;
}

function latency(now: Map<string, number>, before: Map<string, number>): Record<string, number> {
  const d = (k: string) => (now.get(k) ?? 0) - (before.get(k) ?? 0);
  const count = d('count');
  if (count <= 0) return {};
  let p95 = Infinity;
  const bounds = [...now.keys()].filter((k) => k !== 'sum' && k !== 'count' && k !== '+Inf').map(Number).sort((a, b) => a - b);
  for (const le of bounds) {
    if (d(String(le)) >= 0.95 * count) {
      p95 = le;
      break;
    }
  }
  const out: Record<string, number> = { 'latency mean': round((d('sum') / count) * 1000) };
  if (Number.isFinite(p95)) out['latency p95'] = round(p95 * 1000);
  return out;
}

function average(points: readonly TrafficPoint[]): TrafficPoint {
  const sums: Record<string, number> = {};
  for (const p of points) for (const [k, v] of Object.entries(p.values)) sums[k] = (sums[k] ?? 0) + v;
  for (const k of Object.keys(sums)) sums[k] = round(sums[k]! / points.length);
  return { at: points[points.length - 1]!.at, values: sums };
}

const round = (n: number) => Math.round(n * 100) / 100;
