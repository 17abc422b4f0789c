import { Counter, Gauge, type Registry } from 'prom-client';
import type { Log } from '../log.js';
import type { LinkStatus } from './link-monitor.js';

export interface Alarm {
  id: string;
  text: string;
  /** Epoch ms raised. */
  since: number;
}

/**
 * Alarms raised when a link goes down or a job kind's queue passes the threshold, cleared when
 * it recovers: logged, exported as `openmmsc_console_alarms_active{alarm}` and
 * `openmmsc_console_alarms_total{type}`, and POSTed to the webhook if one is configured.
 * Every worker of a node keeps the node's alarms (each serves the page), judged on the node's
 * links; only the one with `announce` logs, counts and posts them, so the operator hears of each
 * alarm once per node, not once per worker.
 */
export class Alarms {
  private readonly active = new Map<string, Alarm>();
  private readonly raisedTotal: Counter<'type'>;

  constructor(
    registry: Registry,
    private readonly log: Log,
    private readonly opts: { queueThreshold: number; webhook?: string | undefined; now: () => number; announce: boolean },
  ) {
    const active = this.active;
    new Gauge({
      name: 'openmmsc_console_alarms_active',
      help: 'Alarms the console has raised and not cleared (1 each), by alarm id',
      labelNames: ['alarm'],
      registers: [registry],
      aggregator: 'max',
      collect() {
        this.reset();
        for (const id of active.keys()) this.set({ alarm: id }, 1);
      },
    });
    this.raisedTotal = new Counter({ name: 'openmmsc_console_alarms_total', help: 'Alarms raised, by type (link, queue)', labelNames: ['type'], registers: [registry] });
  }

  list(): Alarm[] {
    return [...this.active.values()].sort((a, b) => b.since - a.since);
  }

  /** The node's links: each one down raises its alarm (once), each other clears it. */
  links(links: readonly LinkStatus[]): void {
    for (const l of links) {
      const id = `link:${l.kind}:${l.name}`;
      if (l.state === 'down') this.raise(id, 'link', `${l.kind} ${l.name} is down: ${l.detail}`);
      else this.clear(id, `${l.kind} ${l.name} is ${l.state}`);
    }
  }

  queues(depth: ReadonlyMap<string, number>): void {
    for (const [kind, n] of depth) {
      const id = `queue:${kind}`;
      if (n > this.opts.queueThreshold) this.raise(id, 'queue', `${n} ${kind} jobs queued (threshold ${this.opts.queueThreshold})`);
      else this.clear(id, `${kind} queue back to ${n}`);
    }
  }

  private raise(id: string, type: string, text: string): void {
    if (this.active.has(id)) return;
    const alarm = { id, text, since: this.opts.now() };
    this.active.set(id, alarm);
    if (!this.opts.announce) return;
    this.raisedTotal.inc({ type });
    this.log.warn({ alarm: id }, `alarm: ${text}`);
    this.notify('raised', alarm);
  }

  private clear(id: string, text: string): void {
    const alarm = this.active.get(id);
    if (!alarm) return;
    this.active.delete(id);
    if (!this.opts.announce) return;
    this.log.info({ alarm: id }, `alarm cleared: ${text}`);
    this.notify('cleared', { ...alarm, text });
  }

  private notify(event: 'raised' | 'cleared', alarm: Alarm): void {
    if (!this.opts.webhook) return;
    fetch(this.opts.webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event, alarm }), signal: AbortSignal.timeout(5000) }).then(
      (res) => void (res.ok || this.log.warn({ status: res.status, alarm: alarm.id }, 'alarm webhook refused the alarm')),
      (error: unknown) => this.log.warn({ err: error, alarm: alarm.id }, 'alarm webhook unreachable'),
    );
  }
}
