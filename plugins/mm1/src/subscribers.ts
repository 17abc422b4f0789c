import type { PluginContext, RecipientRecord } from '@openmmsc/core';
import type { Mm1Options } from './options.js';

type SubscriberSettings = Mm1Options['subscribers'][number];

/**
 * What MM1 knows per subscriber: configured settings (size class, MMS capability) and what it
 * learned (a handset that never fetches or answers Unrecognised has no MMS), kept in the
 * plugin's kv so every node of a cluster knows it.
 */
export class Subscribers {
  private readonly configured = new Map<string, SubscriberSettings>();
  /** Cached reads of `ctx.kv`. */
  private readonly learned = new Map<string, { legacy: boolean; until: number }>();

  constructor(private readonly ctx: PluginContext<Mm1Options>) {
    for (const s of ctx.options.subscribers) this.configured.set(ctx.mmsc.parseAddress(s.msisdn).value, s);
  }

  /** Largest message the subscriber may send (its size class, else the default). */
  maxMessageSize(msisdn: string): number {
    const o = this.ctx.options.limits;
    const cls = this.configured.get(msisdn)?.sizeClass;
    return (cls ? o.classes[cls]?.maxMessageSize : undefined) ?? o.maxMessageSize;
  }

  /** The subscriber's MMBox quota: its own limits where set, else `mmbox.quota`. */
  mmboxQuota(msisdn: string): { messages: number; bytes: number } {
    const base = this.ctx.options.mmbox.quota;
    const own = this.configured.get(msisdn)?.mmboxQuota;
    return { messages: own?.messages ?? base.messages, bytes: own?.bytes ?? base.bytes };
  }

  /** Whether the recipient gets a text SMS with a web link instead of an MMS notification. */
  async isLegacy(recipient: RecipientRecord, now: number): Promise<boolean> {
    if (recipient.attributes.mm1Legacy === true) return true;
    const msisdn = recipient.address.value;
    if (this.configured.get(msisdn)?.mmsCapable === false) return true;
    if (await this.learnedLegacy(msisdn, now)) return true;
    const legacy = this.ctx.options.legacy;
    if (legacy.afterUnretrieved > 0 && recipient.state === 'notified') {
      const first = recipient.history.find((h) => h.state === 'notified');
      if (first && now - first.at >= legacy.afterUnretrieved) {
        this.ctx.log.info({ recipient: msisdn }, `${msisdn} did not fetch within ${legacy.afterUnretrieved} ms; sending a web link instead`);
        if (legacy.remember) await this.rememberLegacy(msisdn, now);
        return true;
      }
    }
    return false;
  }

  async rememberLegacy(msisdn: string, now: number): Promise<void> {
    await this.ctx.kv.set(`subscriber:${msisdn}`, { mmsCapable: false, since: now });
    this.learned.set(msisdn, { legacy: true, until: now + 30_000 });
  }

  /** Marks (or unmarks) a subscriber as unable to do MMS, for later messages. */
  async setMmsCapable(msisdn: string, capable: boolean, now: number): Promise<void> {
    const value = this.ctx.mmsc.parseAddress(msisdn).value;
    if (capable) await this.ctx.kv.delete(`subscriber:${value}`);
    else await this.ctx.kv.set(`subscriber:${value}`, { mmsCapable: false, since: now });
    this.learned.delete(value);
  }

  private async learnedLegacy(msisdn: string, now: number): Promise<boolean> {
    const cached = this.learned.get(msisdn);
    if (cached && cached.until > now) return cached.legacy;
    const stored = await this.ctx.kv.get<{ mmsCapable: boolean }>(`subscriber:${msisdn}`);
    const legacy = stored?.mmsCapable === false;
    if (this.learned.size > 10_000) this.learned.clear();
    this.learned.set(msisdn, { legacy, until: now + 30_000 });
    return legacy;
  }
}
