import { Counter, Gauge, type Registry } from 'prom-client';
import type { SmscLink } from './link.js';

export interface SmppMetrics {
  submits: Counter<'link' | 'outcome'>;
  pushes: Counter<'result'>;
  receipts: Counter<'stat'>;
  unmatchedReceipts: Counter;
}

/** The plugin's metrics; per-link gauges read the links on each scrape. */
export function smppMetrics(registry: Registry, links: readonly SmscLink[]): SmppMetrics {
  const perLink = (name: string, help: string, value: (l: SmscLink) => number, aggregator: 'sum' | 'min' = 'sum') =>
    new Gauge({
      name,
      help,
      labelNames: ['link'],
      registers: [registry],
      // Each worker of a node binds the link on its own: bound (in rotation) only where all are.
      aggregator,
      collect() {
        for (const l of links) this.set({ link: l.name }, value(l));
      },
    });
  perLink('openmmsc_smpp_link_bound', '1 while the SMSC link is bound, else 0', (l) => (l.bound ? 1 : 0), 'min');
  perLink('openmmsc_smpp_link_in_rotation', '1 while the link takes notifications: bound, not on probation after an unanswered submit_sm, not throttled', (l) => (l.healthy ? 1 : 0), 'min');
  perLink('openmmsc_smpp_window_in_flight', 'submit_sm awaiting their submit_sm_resp, per link', (l) => l.inFlight.now);
  perLink('openmmsc_smpp_window_limit', 'Current window of the link: shrinks on throttling, grows back with accepted submits', (l) => l.pacer.limit);
  new Counter({
    name: 'openmmsc_smpp_link_stalls_total',
    help: 'submit_sm left without a submit_sm_resp within responseTimeoutMs, each taking the link out of rotation',
    labelNames: ['link'],
    registers: [registry],
    // The links count; the counter shows their totals.
    collect() {
      this.reset();
      for (const l of links) this.inc({ link: l.name }, l.stalls);
    },
  });
  return {
    submits: new Counter({
      name: 'openmmsc_smpp_submits_total',
      help: 'submit_sm sent, by link and outcome (ok, throttled, queue-full, error, timeout, link-down, aborted)',
      labelNames: ['link', 'outcome'],
      registers: [registry],
    }),
    pushes: new Counter({
      name: 'openmmsc_smpp_pushes_total',
      help: 'Notifications and text SMS handled by the SMPP bearer, by result (sent, retry, unavailable, failed)',
      labelNames: ['result'],
      registers: [registry],
    }),
    receipts: new Counter({
      name: 'openmmsc_smpp_delivery_receipts_total',
      help: 'SMSC delivery receipts received, by stat (DELIVRD, UNDELIV, EXPIRED, …; UNKNOWN when the receipt names none)',
      labelNames: ['stat'],
      registers: [registry],
    }),
    unmatchedReceipts: new Counter({
      name: 'openmmsc_smpp_delivery_receipts_unmatched_total',
      help: 'Delivery receipts whose SMSC message id matched no submit_sm of ours (after waiting for a late submit_sm_resp)',
      registers: [registry],
    }),
  };
}
