import { verdict, type Counters, type MessageContext, type Verdict } from '@openmmsc/core';
import type { Counter } from 'prom-client';
import type { AntispamOptions } from './options.js';

/** Token-bucket rate limits per sender, VASP, peer, interface or destination (shared through Redis in cluster mode). */
export class RateLimits {
  constructor(
    private readonly rules: AntispamOptions['rateLimits'],
    private readonly counters: Counters,
    private readonly decisions: Counter<'check' | 'outcome'>,
  ) {}

  private refuse(check: string, v: Verdict): Verdict {
    this.decisions.inc({ check, outcome: v.kind });
    return v;
  }

  async check(msg: MessageContext): Promise<Verdict | undefined> {
    const perRecipient: Array<[string, Verdict & { kind: 'reject' | 'defer' }]> = [];
    for (const [i, rule] of this.rules.entries()) {
      if (rule.interfaces.length && !rule.interfaces.includes(msg.origin.interface)) continue;
      const cost = rule.perRecipient ? msg.recipients.length : 1;
      let key: string | undefined;
      if (rule.scope === 'sender') key = `${msg.message.headers.from.type}:${msg.message.headers.from.value}`;
      else if (rule.scope === 'vasp') key = msg.origin.attributes?.vaspId === undefined ? undefined : String(msg.origin.attributes.vaspId);
      else if (rule.scope === 'peer') key = msg.origin.peer;
      else if (rule.scope === 'interface') key = msg.origin.interface;
      if (rule.scope === 'destination') {
        for (const r of msg.recipients) {
          const t = await this.counters.take(`rl:${i}:destination:${r.key}`, rule.limit, rule.window, 1);
          if (!t.allowed) perRecipient.push([r.key, verdict.reject('limit-exceeded', 'too many messages to this recipient, try later')]);
        }
        continue;
      }
      if (key === undefined) continue;
      const t = await this.counters.take(`rl:${i}:${rule.scope}:${key}`, rule.limit, rule.window, cost);
      if (!t.allowed) {
        msg.log.info({ scope: rule.scope, key, retryAfterMs: t.retryAfterMs }, 'rate limit exceeded');
        return this.refuse(`rate-${rule.scope}`, verdict.reject('limit-exceeded', `rate limit exceeded (${rule.limit} per ${rule.window / 1000} s per ${rule.scope})`));
      }
    }
    if (perRecipient.length) {
      this.decisions.inc({ check: 'rate-destination', outcome: 'reject' }, perRecipient.length);
      return verdict.perRecipient(perRecipient);
    }
    return undefined;
  }
}
