import { createHash } from 'node:crypto';
import { definePlugin, pluginIdentity, verdict, type Address, type MessageContext, type MmsPart, type Origin, type Verdict } from '@openmmsc/core';
import { Counter } from 'prom-client';
import { ClamdClient } from './clamd.js';
import { MemoryCounters, RedisCounters, type Counters, type RedisConnectionConfig } from '@openmmsc/core';
import { antispamOptions, type ListOptions } from './options.js';

export { antispamOptions, type AntispamOptions } from './options.js';
export { ClamdClient, ClamdError, type ClamdOptions, type ScanResult } from './clamd.js';
export { MemoryCounters, RedisCounters, type Counters, type TakeResult } from '@openmmsc/core';

/** Route target of quarantined messages: stored, never delivered. */
export const QUARANTINE_TARGET = 'antispam-quarantine';

export function matchesList(list: ListOptions, address: Address, origin: Origin): string | undefined {
  const v = address.value;
  if (address.type === 'plmn' || address.type === 'shortcode') {
    if (list.numbers.includes(v)) return `number ${v}`;
    const prefix = list.prefixes.find((p) => v.startsWith(p));
    if (prefix) return `prefix ${prefix}`;
  }
  if (address.type === 'email') {
    const domain = v.slice(v.lastIndexOf('@') + 1);
    const d = list.domains.find((x) => domain === x.toLowerCase() || domain.endsWith(`.${x.toLowerCase()}`));
    if (d) return `domain ${d}`;
  }
  const vasp = origin.attributes?.vaspId;
  if (vasp !== undefined && list.vasps.includes(String(vasp))) return `VASP ${vasp}`;
  if (origin.peer && list.peers.includes(origin.peer)) return `peer ${origin.peer}`;
  return undefined;
}

function partText(p: MmsPart): string {
  return Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString(p.contentType.params.charset?.toLowerCase() === 'utf-16' ? 'utf16le' : 'utf8');
}

export function contentHash(parts: readonly MmsPart[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p.contentType.type);
    h.update('\0');
    h.update(p.data);
    h.update('\0');
  }
  return h.digest('hex');
}

function typeMatches(rule: string, type: string): boolean {
  const r = rule.toLowerCase();
  return r.endsWith('/*') ? type.startsWith(r.slice(0, -1)) : r === type;
}

/**
 * Anti-spam and anti-virus in the receive stage: block and allow lists, recipient limits,
 * token-bucket rate limits (per sender, VASP, peer, destination, interface; shared through Redis
 * in cluster mode), duplicate-content detection, keyword and content-type scores with actions
 * (reject, quarantine, tag), and ClamAV scanning over clamd's INSTREAM protocol.
 */
export default definePlugin({
  ...pluginIdentity(import.meta.url),
  apiVersion: '^1.0.0',
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
    const decisions = new Counter({
      name: 'openmmsc_antispam_decisions_total',
      help: 'Anti-spam and anti-virus decisions by check and outcome',
      labelNames: ['check', 'outcome'],
      registers: [ctx.metrics],
    });
    const keywordRules = o.keywords.map((k) => ({ ...k, re: k.regex ? new RegExp(k.pattern, 'i') : undefined, lower: k.pattern.toLowerCase() }));

    const refuse = (check: string, v: Verdict): Verdict => {
      decisions.inc({ check, outcome: v.kind });
      return v;
    };

    async function scan(msg: MessageContext): Promise<Verdict | undefined> {
      if (!clamd) return undefined;
      for (const part of msg.message.parts) {
        let result;
        try {
          result = await clamd.scan(part.data);
        } catch (error) {
          msg.log.warn({ err: error, policy: o.antivirus.onError }, 'virus scan failed');
          decisions.inc({ check: 'antivirus', outcome: `error-${o.antivirus.onError}` });
          if (o.antivirus.onError === 'accept') return undefined;
          if (o.antivirus.onError === 'reject') return verdict.reject('content-not-accepted', 'content could not be checked for viruses');
          return verdict.defer('network-problem', 'virus scanner unavailable, try again later', 30_000);
        }
        if (result.status === 'infected') {
          msg.log.warn({ signature: result.signature, part: part.contentLocation ?? part.contentType.type }, 'virus found');
          msg.attributes['antivirus.signature'] = result.signature;
          return refuse('antivirus', verdict.reject('virus', `content refused: virus found (${result.signature})`));
        }
      }
      decisions.inc({ check: 'antivirus', outcome: 'clean' });
      return undefined;
    }

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
        const limited = await rateLimit(msg);
        if (limited) return limited;
      }

      const virus = await scan(msg);
      if (virus) return virus;
      if (allowed) return undefined;

      const { score, reasons } = await scoreOf(msg);
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

    async function rateLimit(msg: MessageContext): Promise<Verdict | undefined> {
      const perRecipient: Array<[string, Verdict & { kind: 'reject' | 'defer' }]> = [];
      for (const [i, rule] of o.rateLimits.entries()) {
        if (rule.interfaces.length && !rule.interfaces.includes(msg.origin.interface)) continue;
        const cost = rule.perRecipient ? msg.recipients.length : 1;
        let key: string | undefined;
        if (rule.scope === 'sender') key = `${msg.message.headers.from.type}:${msg.message.headers.from.value}`;
        else if (rule.scope === 'vasp') key = msg.origin.attributes?.vaspId === undefined ? undefined : String(msg.origin.attributes.vaspId);
        else if (rule.scope === 'peer') key = msg.origin.peer;
        else if (rule.scope === 'interface') key = msg.origin.interface;
        if (rule.scope === 'destination') {
          for (const r of msg.recipients) {
            const t = await counters.take(`rl:${i}:destination:${r.key}`, rule.limit, rule.window, 1);
            if (!t.allowed) perRecipient.push([r.key, verdict.reject('limit-exceeded', 'too many messages to this recipient, try later')]);
          }
          continue;
        }
        if (key === undefined) continue;
        const t = await counters.take(`rl:${i}:${rule.scope}:${key}`, rule.limit, rule.window, cost);
        if (!t.allowed) {
          msg.log.info({ scope: rule.scope, key, retryAfterMs: t.retryAfterMs }, 'rate limit exceeded');
          return refuse(`rate-${rule.scope}`, verdict.reject('limit-exceeded', `rate limit exceeded (${rule.limit} per ${rule.window / 1000} s per ${rule.scope})`));
        }
      }
      if (perRecipient.length) {
        decisions.inc({ check: 'rate-destination', outcome: 'reject' }, perRecipient.length);
        return verdict.perRecipient(perRecipient);
      }
      return undefined;
    }

    async function scoreOf(msg: MessageContext): Promise<{ score: number; reasons: string[] }> {
      let score = 0;
      const reasons: string[] = [];
      if (keywordRules.length) {
        const text = [msg.message.headers.subject?.text ?? '', ...msg.message.parts.filter((p) => p.contentType.type.startsWith('text/')).map(partText)].join('\n');
        const lower = text.toLowerCase();
        for (const k of keywordRules) {
          if (k.re ? k.re.test(text) : lower.includes(k.lower)) {
            score += k.score;
            reasons.push(`keyword ${k.pattern}`);
          }
        }
      }
      for (const rule of o.contentTypes) {
        if (msg.message.parts.some((p) => typeMatches(rule.type, p.contentType.type))) {
          score += rule.score;
          reasons.push(`content type ${rule.type}`);
        }
      }
      if (o.duplicates.enabled) {
        const hash = contentHash(msg.message.parts);
        const count = await counters.distinct(`dup:${hash}`, msg.recipients.map((r) => r.key), o.duplicates.window);
        if (count > o.duplicates.maxRecipients) {
          score += o.duplicates.score;
          reasons.push(`same content to ${count} recipients`);
          msg.attributes['antispam.duplicates'] = count;
        }
      }
      return { score, reasons };
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
