import { MemoryCounters, RedisCounters, definePackagedPlugin, pluginManifest, verdict, type Counters, type MessageContext, type RedisConnectionConfig, type Verdict } from '@openmmsc/core';
import { Counter } from 'prom-client';
import { ClamdClient } from './clamd.js';
import { clamdHealth } from './clamd-health.js';
import { matchesList } from './lists.js';
import { antispamOptions } from './options.js';
import { RateLimits } from './rate-limits.js';
import { SpamScorer } from './scoring.js';
import { VirusScan } from './virus-scan.js';

export { antispamOptions, type AntispamOptions } from './options.js';
export { ClamdClient, ClamdError, type ClamdOptions, type ScanResult } from './clamd.js';
export { MemoryCounters, RedisCounters, type Counters, type TakeResult } from '@openmmsc/core';
export { matchesList } from './lists.js';
export { contentHash, type SpamScore } from './scoring.js';

/** Route target of quarantined messages: stored, never delivered. */
export const QUARANTINE_TARGET = 'antispam-quarantine';

/**
 * Anti-spam and anti-virus in the receive stage: block and allow lists, recipient limits,
 * token-bucket rate limits (per sender, VASP, peer, destination, interface; shared through Redis
 * in cluster mode), duplicate-content detection, keyword and content-type scores with actions
 * (reject, quarantine, tag), and ClamAV scanning over clamd's INSTREAM protocol.
 */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'Anti-spam (rate limits, lists, duplicates, scores) and anti-virus (ClamAV)',
  configSchema: antispamOptions,
  setup(ctx) {
    const o = ctx.options;
    const store = ctx.config.store;
    // The counters' own url wins; else the kernel's Redis store, in whichever form it is given.
    const redis: RedisConnectionConfig | undefined = o.counters.url ? { url: o.counters.url } : store.type === 'redis' ? store : undefined;
    const useRedis = o.counters.type === 'redis' || (o.counters.type === 'auto' && store.type === 'redis');
    if (useRedis && !redis) throw new Error('counters.type is redis but no counters.url is set and the kernel store is not Redis');
    const counters: Counters = useRedis ? new RedisCounters(redis!, o.counters.keyPrefix) : new MemoryCounters(() => ctx.clock.now());
    const clamd = o.antivirus.enabled
      ? new ClamdClient({ host: o.antivirus.host, port: o.antivirus.port, socket: o.antivirus.socket, timeoutMs: o.antivirus.timeout, chunkSize: o.antivirus.chunkSize })
      : undefined;
    const clamdSeen = clamd ? clamdHealth(ctx.metrics, clamd, o.antivirus.socket ?? `${o.antivirus.host}:${o.antivirus.port}`, () => ctx.clock.now()) : undefined;
    const decisions = new Counter({
      name: 'openmmsc_antispam_decisions_total',
      help: 'Anti-spam and anti-virus decisions by check and outcome',
      labelNames: ['check', 'outcome'],
      registers: [ctx.metrics],
    });
    const rateLimits = new RateLimits(o.rateLimits, counters, decisions);
    const scorer = new SpamScorer(o, counters);
    const virusScan = clamd ? new VirusScan(clamd, o.antivirus.onError, decisions, clamdSeen) : undefined;

    const refuse = (check: string, v: Verdict): Verdict => {
      decisions.inc({ check, outcome: v.kind });
      return v;
    };

    async function receive(msg: MessageContext): Promise<Verdict | undefined> {
      if (o.interfaces.length && !o.interfaces.includes(msg.origin.interface)) return undefined;
      const from = msg.message.headers.from;
      const allowed = matchesList(o.allow, from, msg.origin);
      if (!allowed) {
        const blocked = matchesList(o.block, from, msg.origin);
        if (blocked) {
          msg.log.info({ rule: blocked }, 'sender blocked');
          return refuse('block-list', verdict.reject('service-denied', 'sender not allowed'));
        }
        const max = o.maxRecipients.perInterface[msg.origin.interface] ?? o.maxRecipients.default;
        if (max !== undefined && msg.recipients.length > max) {
          return refuse('max-recipients', verdict.reject('too-many-recipients', `${msg.recipients.length} recipients; at most ${max} allowed`));
        }
        const limited = await rateLimits.check(msg);
        if (limited) return limited;
      }

      const virus = await virusScan?.scan(msg);
      if (virus) return virus;
      if (allowed) return undefined;

      const { score, reasons } = await scorer.score(msg);
      if (score <= 0) return undefined;
      msg.attributes['antispam.score'] = score;
      const a = o.actions;
      if (score >= a.reject) {
        msg.log.info({ score, reasons }, 'message refused as spam');
        return refuse('score', verdict.reject('spam', 'message refused as unsolicited'));
      }
      if (a.quarantine !== undefined && score >= a.quarantine) {
        msg.log.info({ score, reasons }, 'message quarantined');
        msg.attributes['antispam.quarantined'] = true;
        decisions.inc({ check: 'score', outcome: 'quarantine' });
        return undefined;
      }
      if (a.tag !== undefined && score >= a.tag) {
        msg.message.headers.extra = { ...msg.message.headers.extra, 'X-Spam-Flag': 'YES', 'X-Spam-Score': String(score) };
        msg.attributes['antispam.tagged'] = true;
        decisions.inc({ check: 'score', outcome: 'tag' });
      }
      return undefined;
    }

    // Quarantine: held messages are routed to a target no one delivers to.
    ctx.provide('Deliverer', {
      target: QUARANTINE_TARGET,
      async deliver({ message, recipient }) {
        await ctx.kv.set(`quarantine:${message.id}`, { at: ctx.clock.now(), from: message.headers.from.value }, message.expiresAt - ctx.clock.now() + 86_400_000);
        ctx.log.info({ messageId: message.id, recipient: recipient.index }, 'quarantined message not delivered');
        return { status: 'rejected', reason: { code: 'spam', message: 'held by anti-spam (quarantine)' } };
      },
    });

    return {
      receive,
      route(msg) {
        if (msg.attributes['antispam.quarantined'] !== true) return;
        for (const r of msg.recipients) msg.route(r, { target: QUARANTINE_TARGET });
      },
      async ready() {
        if (!clamd) return true;
        try {
          return (await clamd.ping()) ? true : 'clamd did not answer PONG';
        } catch (error) {
          return o.antivirus.onError === 'accept' ? true : `clamd: ${(error as Error).message}`;
        }
      },
      close: () => counters.close(),
    };
  },
});
