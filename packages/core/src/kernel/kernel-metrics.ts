import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface KernelMetrics {
  registry: Registry;
  submissions: Counter<'interface' | 'status'>;
  stageSeconds: Histogram<'stage'>;
  handlerErrors: Counter<'plugin' | 'stage'>;
  jobs: Counter<'kind' | 'outcome'>;
  transitions: Counter<'state'>;
}

/** One registry per MMSC instance, so several can run in one process (tests, embedding). */
export function createKernelMetrics(): KernelMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'openmmsc_' });
  return {
    registry,
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
      help: 'Job attempts by kind and outcome',
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
