import { linkDetails } from '@openmmsc/core';
import type { Registry } from 'prom-client';
import { readMetric, sumBy } from '../traffic/read-metrics.js';

export type LinkState = 'up' | 'degraded' | 'down';

export interface LinkStatus {
  /** `smsc`, `push-bearer`, `ocs`, or the `kind` label of `openmmsc_link_up`. */
  kind: string;
  name: string;
  state: LinkState;
  /** Epoch ms this node first saw the link in this state. */
  since: number;
  detail: string;
}

/**
 * Every link and peer this node talks to, read from the metrics the plugins export:
 * SMPP binds (`openmmsc_smpp_link_bound` / `_in_rotation`, window, submits), the push bearer
 * (`openmmsc_notify_available`), and any plugin's `openmmsc_link_up{kind,name}` (1 up, 0.5
 * degraded, 0 down: PPG, MM4 peers, VASPs, OCS peers, clamd, …) with the reason its reporter gives.
 */
export class LinkMonitor {
  private links = new Map<string, LinkStatus>();
  private lastSubmits = new Map<string, number>();
  private lastAt = 0;

  constructor(
    private readonly registry: Registry,
    private readonly now: () => number,
  ) {}

  list(): LinkStatus[] {
    return [...this.links.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  }

  /** Reads the metrics again; answers every link with its state (and since when it is in it). */
  async sample(): Promise<LinkStatus[]> {
    const at = this.now();
    const seen: Array<Omit<LinkStatus, 'since'>> = [];
    const [bound, rotation, inFlight, windowLimit, submits, notify, generic] = await Promise.all(
      ['openmmsc_smpp_link_bound', 'openmmsc_smpp_link_in_rotation', 'openmmsc_smpp_window_in_flight', 'openmmsc_smpp_window_limit', 'openmmsc_smpp_submits_total', 'openmmsc_notify_available', 'openmmsc_link_up'].map((n) => readMetric(this.registry, n)),
    );
    const details = linkDetails(this.registry);
    const byLink = (values: typeof bound) => sumBy(values!, (l) => String(l.link));
    const rot = byLink(rotation);
    const flight = byLink(inFlight);
    const limit = byLink(windowLimit);
    const total = sumBy(submits!, (l) => String(l.link));
    const errors = sumBy(submits!, (l) => (l.outcome === 'ok' ? undefined : String(l.link)));
    const seconds = this.lastAt ? Math.max(0.001, (at - this.lastAt) / 1000) : 0;
    for (const [link, b] of byLink(bound)) {
      const rate = seconds ? (total.get(link) ?? 0) - (this.lastSubmits.get(link) ?? 0) : 0;
      const detail = `window ${flight.get(link) ?? 0}/${limit.get(link) ?? 0}, ${seconds ? (rate / seconds).toFixed(1) : '0'} submits/s, ${errors.get(link) ?? 0} errors`;
      seen.push({ kind: 'smsc', name: link, state: b < 1 ? 'down' : (rot.get(link) ?? 0) < 1 ? 'degraded' : 'up', detail: b < 1 ? `not bound; ${detail}` : (rot.get(link) ?? 0) < 1 ? `bound, out of rotation; ${detail}` : detail });
    }
    this.lastSubmits = total;
    this.lastAt = at;
    for (const v of notify!) seen.push({ kind: 'push-bearer', name: 'notify', state: v.value >= 1 ? 'up' : 'down', detail: v.value >= 1 ? 'can carry notifications' : 'cannot carry notifications (they are held)' });
    for (const v of generic!) {
      const kind = String(v.labels.kind ?? 'link');
      const name = String(v.labels.name ?? '');
      seen.push({ kind, name, state: v.value >= 1 ? 'up' : v.value > 0 ? 'degraded' : 'down', detail: details.get(`${kind}\u0000${name}`) ?? '' });
    }
    const next = new Map<string, LinkStatus>();
    for (const s of seen) {
      const key = `${s.kind}\u0000${s.name}`;
      const before = this.links.get(key);
      next.set(key, { ...s, since: before && before.state === s.state ? before.since : at });
    }
    this.links = next;
    return this.list();
  }
}
