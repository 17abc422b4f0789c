import { Gauge, type Registry } from 'prom-client';

/** 1 up, 0.5 degraded (working, impaired), 0 down. */
export type LinkProbe = () => number | Promise<number>;

const probes = new WeakMap<Registry, Map<string, { kind: string; name: string; probe: LinkProbe }>>();

/**
 * Reports a link or peer a plugin depends on (an SMSC, a PPG, a peer MMSC, clamd, a transcoder)
 * as `openmmsc_link_up{kind,name}`, read on each scrape. One gauge per registry serves every
 * plugin; the operator console lists each link with its state and raises an alarm when it goes down.
 */
export function reportLink(registry: Registry, kind: string, name: string, probe: LinkProbe): void {
  let list = probes.get(registry);
  if (!list) {
    const mine = new Map<string, { kind: string; name: string; probe: LinkProbe }>();
    list = mine;
    probes.set(registry, mine);
    new Gauge({
      name: 'openmmsc_link_up',
      help: 'Links and peers plugins depend on, by kind and name: 1 up, 0.5 degraded, 0 down',
      labelNames: ['kind', 'name'],
      registers: [registry],
      async collect() {
        this.reset();
        await Promise.all(
          [...mine.values()].map(async (l) => {
            let v = 0;
            try {
              v = await l.probe();
            } catch {
              v = 0;
            }
            this.set({ kind: l.kind, name: l.name }, v);
          }),
        );
      },
    });
  }
  list.set(`${kind}\u0000${name}`, { kind, name, probe });
}
