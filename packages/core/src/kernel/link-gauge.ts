import { Gauge, type Registry } from 'prom-client';

/** 1 up, 0.5 degraded (working, impaired), 0 down. */
export type LinkProbe = () => number | Promise<number>;

export type LinkState = 'up' | 'degraded' | 'down';

interface Reported {
  kind: string;
  name: string;
  probe: LinkProbe;
  /** Why the link is in its state (the last failure, the peer's answer), for the console. */
  detail?: () => string | undefined;
}

const probes = new WeakMap<Registry, Map<string, Reported>>();

const VALUE: Record<LinkState, number> = { up: 1, degraded: 0.5, down: 0 };

/**
 * Reports a link or peer a plugin depends on (an SMSC, a PPG, a peer MMSC, clamd, a transcoder)
 * as `openmmsc_link_up{kind,name}`, read on each scrape. One gauge per registry serves every
 * plugin; the operator console lists each link with its state and raises an alarm when it goes down.
 */
export function reportLink(registry: Registry, kind: string, name: string, probe: LinkProbe, detail?: () => string | undefined): void {
  let list = probes.get(registry);
  if (!list) {
    const mine = new Map<string, Reported>();
    list = mine;
    probes.set(registry, mine);
    new Gauge({
      name: 'openmmsc_link_up',
      help: 'Links and peers plugins depend on, by kind and name: 1 up, 0.5 degraded, 0 down',
      labelNames: ['kind', 'name'],
      registers: [registry],
      // Each worker of a node has its own connection to the link: the node's is its worst.
      aggregator: 'min',
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
  list.set(`${kind}\u0000${name}`, detail ? { kind, name, probe, detail } : { kind, name, probe });
}

/** What the reporters of `openmmsc_link_up` say about each link's state (for the console's Links page). */
export function linkDetails(registry: Registry): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of probes.get(registry)?.values() ?? []) {
    const d = l.detail?.();
    if (d) out.set(`${l.kind}\u0000${l.name}`, d);
  }
  return out;
}

/** One link's state as the traffic over it showed it: set by each outcome, read by the gauge. */
export interface LinkTracker {
  /** Records what the last exchange with `name` showed (`detail`: the failure, the peer's answer). */
  saw(name: string, state: LinkState, detail?: string): void;
  state(name: string): LinkState | undefined;
}

/**
 * Links whose state is what the last exchange showed (an MM4 peer, a VASP, a PPG): each outcome
 * calls `saw`. A link is reported from its first exchange on: before that nothing is known of it.
 */
export function linkTracker(registry: Registry, kind: string, now: () => number = Date.now): LinkTracker {
  const links = new Map<string, { state: LinkState; detail: string | undefined; at: number }>();
  return {
    saw(name, state, detail) {
      const before = links.get(name);
      links.set(name, { state, detail, at: now() });
      if (!before) {
        reportLink(
          registry,
          kind,
          name,
          () => VALUE[links.get(name)!.state],
          () => {
            const l = links.get(name)!;
            return l.detail ? `${l.detail} (${new Date(l.at).toISOString()})` : undefined;
          },
        );
      }
    },
    state: (name) => links.get(name)?.state,
  };
}
