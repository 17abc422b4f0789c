import type { Mmsc } from '@openmmsc/core';

/** `openmmsc_link_up{kind,name}` as a scrape reads it now: 1 up, 0.5 degraded, 0 down, undefined when not reported. */
export async function linkState(mmsc: Pick<Mmsc, 'registry'>, kind: string, name: string): Promise<number | undefined> {
  const metric = mmsc.registry.getSingleMetric('openmmsc_link_up');
  if (!metric) return undefined;
  const { values } = await metric.get();
  return values.find((v) => v.labels.kind === kind && v.labels.name === name)?.value;
}
