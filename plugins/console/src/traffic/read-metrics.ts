import type { Registry } from 'prom-client';

export interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** The current values of one metric of the registry (collect callbacks run), or none. */
export async function readMetric(registry: Registry, name: string): Promise<MetricValue[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  try {
    const got = await metric.get();
    return got.values as MetricValue[];
  } catch {
    return [];
  }
}

/** Sums values into keys made of some of their labels. */
export function sumBy(values: readonly MetricValue[], key: (labels: MetricValue['labels']) => string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) {
    const k = key(v.labels);
    if (k !== undefined) out.set(k, (out.get(k) ?? 0) + v.value);
  }
  return out;
}
