import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { type JobKind, type JobKindStats, type JobQueue } from '../services/job-queue.js';

export interface KernelMetrics {
  registry: Registry;
  submissions: Counter<'interface' | 'status'>;
  stageSeconds: Histogram<'stage'>;
  handlerErrors: Counter<'plugin' | 'stage'>;
  jobs: Counter<'kind' | 'outcome'>;
  transitions: Counter<'state'>;
  /** Backlog gauges read this queue, and the notify gauge this check, on each scrape. */
  observe(sources: { queue: JobQueue; notify: () => { ok: boolean } }): void;
}

/** Stats are read once per scrape, however many gauges show them. */
const SNAPSHOT_MS = 250;
const STATES = ['waiting', 'delayed', 'held', 'active', 'failed'] as const;

/** One registry per MMSC instance, so several can run in one process (tests, embedding). */
export function createKernelMetrics(): KernelMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'openmmsc_' });
  let sources: { queue: JobQueue; notify: () => { ok: boolean } } | undefined;
  let snapshot: { at: number; stats: Promise<Record<JobKind, JobKindStats> | undefined> } | undefined;
  const stats = (): Promise<Record<JobKind, JobKindStats> | undefined> => {
    const now = Date.now();
    if (!sources) return Promise.resolve(undefined);
    if (!snapshot || now - snapshot.at > SNAPSHOT_MS) {
      // A closed or unreachable queue leaves the gauges empty rather than failing the scrape.
      snapshot = { at: now, stats: sources.queue.stats().catch(() => undefined) };
    }
    return snapshot.stats;
  };
  const age = (since: number | undefined, now: number) => (since === undefined ? 0 : Math.max(0, (now - since) / 1000));

  new Gauge({
    name: 'openmmsc_jobs_queued',
    help: 'Jobs in the queue by kind and state (waiting = due now; delayed = scheduled later; held = waiting for a resource such as the push bearer)',
    labelNames: ['kind', 'state'],
    registers: [registry],
    // Every worker of a node reads the same store: the node's figure is one reading, not their sum.
    aggregator: 'max',
    async collect() {
      const s = await stats();
      if (!s) return;
      for (const [kind, k] of Object.entries(s)) for (const state of STATES) this.set({ kind, state }, k[state]);
    },
  });
  const ageGauge = (name: string, help: string, since: (s: JobKindStats) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['kind'],
      registers: [registry],
      aggregator: 'max',
      async collect() {
        const s = await stats();
        if (!s) return;
        const now = Date.now();
        for (const [kind, k] of Object.entries(s)) this.set({ kind }, age(since(k), now));
      },
    });
  ageGauge('openmmsc_jobs_oldest_waiting_seconds', 'How long the longest-waiting due job of each kind has been due (0 when none waits)', (s) => s.oldestWaitingSince);
  ageGauge('openmmsc_jobs_oldest_held_seconds', 'How long the longest-held job of each kind has waited for its resource (0 when none is held)', (s) => s.oldestHeldSince);
  new Gauge({
    name: 'openmmsc_notify_available',
    help: '1 while the push bearer can carry notifications, else 0 (the node still accepts messages)',
    registers: [registry],
    // A node is as able as its least able worker: each has its own bearer links.
    aggregator: 'min',
    collect() {
      if (!sources) return;
      let ok = false;
      try {
        ok = sources.notify().ok;
      } catch {
        ok = false;
      }
      this.set(ok ? 1 : 0);
    },
  });

  return {
    registry,
    observe(s) {
      sources = s;
      snapshot = undefined;
    },
    submissions: new Counter({
      name: 'openmmsc_submissions_total',
      help: 'Messages submitted, by ingress interface and outcome',
      labelNames: ['interface', 'status'],
      registers: [registry],
    }),
    stageSeconds: new Histogram({
      name: 'openmmsc_stage_duration_seconds',
      help: 'Time spent in each submission stage',
      labelNames: ['stage'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    handlerErrors: new Counter({
      name: 'openmmsc_handler_errors_total',
      help: 'Stage handlers that threw, by plugin and stage',
      labelNames: ['plugin', 'stage'],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'openmmsc_jobs_total',
      help: 'Job attempts by kind and outcome (done, retry, held, failed)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    transitions: new Counter({
      name: 'openmmsc_recipient_transitions_total',
      help: 'Recipient state changes, by new state',
      labelNames: ['state'],
      registers: [registry],
    }),
  };
}
