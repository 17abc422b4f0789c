import type { KeyValueStore } from '@openmmsc/core';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Log } from '../log.js';
import type { LinkStatus } from './link-monitor.js';

export interface Alarm {
  id: string;
  text: string;
  /** Epoch ms raised. */
  since: number;
}

/** An alarm in the node's record, with when a speaker last saw it raised. */
type Announced = Alarm & { type: string; seen: number };

/** An announced alarm nobody has judged for this long (its link is gone) leaves the record. */
const FORGET_MS = 10 * 60_000;

export interface AlarmOptions {
  queueThreshold: number;
  webhook?: string | undefined;
  now: () => number;
  /** The node's record of the alarms it has announced (raised and not yet cleared). */
  kv: KeyValueStore;
  node: string;
  /** Whether this process speaks for the node now (see NodeLinks.speaks). */
  speaks: () => boolean;
}

/**
 * Alarms raised when a link goes down or a job kind's queue passes the threshold, cleared when
 * it recovers: logged, exported as `openmmsc_console_alarms_active{alarm}` and
 * `openmmsc_console_alarms_total{type}`, and POSTed to the webhook if one is configured.
 * Every worker of a node keeps the node's alarms (each serves the page), judged on the node's
 * links. Announcing (log, count, webhook) is done by the worker that speaks for the node, against
 * the node's record of what it has announced: the operator hears of each alarm once per node,
 * also when the speaker changes (its worker restarting) and after a restart (an alarm still
 * raised is not raised again; one that cleared meanwhile is cleared).
 */
export class Alarms {
  private readonly active = new Map<string, Alarm & { type: string }>();
  /** What each alarm judged this round last said when it was not raised (its clearing text). */
  private readonly recovered = new Map<string, string>();
  private readonly judged = new Set<string>();
  private readonly raisedTotal: Counter<'type'>;

  constructor(
    registry: Registry,
    private readonly log: Log,
    private readonly opts: AlarmOptions,
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
    return [...this.active.values()].map(({ id, text, since }) => ({ id, text, since })).sort((a, b) => b.since - a.since);
  }

  private get announcedKey(): string {
    return `alarms:${this.opts.node}:announced`;
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
    this.judged.add(id);
    if (!this.active.has(id)) this.active.set(id, { id, type, text, since: this.opts.now() });
  }

  private clear(id: string, text: string): void {
    this.judged.add(id);
    this.recovered.set(id, text);
    this.active.delete(id);
  }

  /**
   * Announces what changed since the node last announced, if this process speaks for it: the
   * alarms judged raised that the node has not announced, and those it announced that were
   * judged clear this round (an alarm not judged, its link not seen yet after a start, is left
   * as it is). The record is updated atomically, so two processes that both believe they speak
   * (for a moment, while the speaker changes) announce each change once between them.
   */
  async announce(): Promise<void> {
    const judged = new Set(this.judged);
    this.judged.clear();
    if (!this.opts.speaks()) return;
    const active = new Map(this.active);
    const now = this.opts.now();
    let raised: Array<Alarm & { type: string }> = [];
    let cleared: Alarm[] = [];
    await this.opts.kv.update<Record<string, Announced>>(this.announcedKey, (current) => {
      const told = { ...(current ?? {}) };
      raised = [];
      cleared = [];
      for (const [id, alarm] of active) {
        if (!told[id]) raised.push(alarm);
        told[id] = { ...(told[id] ?? alarm), seen: now };
      }
      for (const [id, alarm] of Object.entries(told)) {
        if (active.has(id)) continue;
        if (judged.has(id)) {
          delete told[id];
          cleared.push({ id, since: alarm.since, text: this.recovered.get(id) ?? alarm.text });
        } else if (now - alarm.seen > FORGET_MS) {
          // Its link is gone (taken out of the config): forgotten, so that it is announced
          // again should it come back down.
          delete told[id];
        }
      }
      return told;
    });
    for (const alarm of raised) {
      this.raisedTotal.inc({ type: alarm.type });
      this.log.warn({ alarm: alarm.id }, `alarm: ${alarm.text}`);
      this.notify('raised', { id: alarm.id, text: alarm.text, since: alarm.since });
    }
    for (const alarm of cleared) {
      this.log.info({ alarm: alarm.id }, `alarm cleared: ${alarm.text}`);
      this.notify('cleared', alarm);
    }
  }

  private notify(event: 'raised' | 'cleared', alarm: Alarm): void {
    if (!this.opts.webhook) return;
    fetch(this.opts.webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event, alarm }), signal: AbortSignal.timeout(5000) }).then(
      (res) => void (res.ok || this.log.warn({ status: res.status, alarm: alarm.id }, 'alarm webhook refused the alarm')),
      (error: unknown) => this.log.warn({ err: error, alarm: alarm.id }, 'alarm webhook unreachable'),
    );
  }
}
