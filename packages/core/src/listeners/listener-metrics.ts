import { Counter, Gauge, type Registry } from 'prom-client';

/** Why a listener turned a connection or request away. */
export type ListenerRefusal = 'max-connections' | 'per-address' | 'per-peer' | 'timeout' | 'command-timeout' | 'data-timeout';

export interface ListenerMetrics {
  refused(listener: string, reason: ListenerRefusal): void;
  /** Reports the open connections of a listener on each scrape; returns the undo. */
  track(listener: string, open: () => number): () => void;
}

const byRegistry = new WeakMap<Registry, ListenerMetrics>();

/** The listener metrics of a registry (every listener of an MMSC shares them). */
export function listenerMetrics(registry: Registry): ListenerMetrics {
  const known = byRegistry.get(registry);
  if (known) return known;
  const sources = new Map<string, () => number>();
  const refused = new Counter({
    name: 'openmmsc_listener_refused_total',
    help: 'Connections and requests a listener turned away, by listener and reason (connection caps, time-outs)',
    labelNames: ['listener', 'reason'],
    registers: [registry],
  });
  new Gauge({
    name: 'openmmsc_listener_connections',
    help: 'Open connections per listener',
    labelNames: ['listener'],
    registers: [registry],
    collect() {
      for (const [listener, open] of sources) this.set({ listener }, open());
    },
  });
  const metrics: ListenerMetrics = {
    refused: (listener, reason) => refused.inc({ listener, reason }),
    track(listener, open) {
      sources.set(listener, open);
      return () => {
        if (sources.get(listener) === open) sources.delete(listener);
      };
    },
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
