import {
  CHARGING_SESSION_ID,
  addressKey,
  definePlugin,
  pluginIdentity,
  type Address,
  type AttributeValue,
  type ChargeDecision,
  type ChargeRecipientDecision,
  type ChargeRequest,
  type ChargingEvent,
  type Reason,
  type StoredMessage,
} from '@openmmsc/core';
import { CcRequestType, RequestedAction } from '@openmmsc/diameter';
import { Gauge } from 'prom-client';
import { CreditControl, messageVars, recipientVars, type CcrResult } from './credit-control.js';
import { mm9Options } from './options.js';
import { OcsUnreachableError, PeerPool } from './peer-pool.js';

export { mm9Options, type Mm9Options, type AvpTemplate } from './options.js';
export { DEFAULT_SERVICE_INFORMATION, renderTemplates, type TemplateVars } from './template.js';
export { PeerPool, OcsUnreachableError } from './peer-pool.js';
export { DiameterPeer, type PeerState, type PeerConfig, type LocalIdentity, type PeerTimings } from './peer.js';
export { CreditControl, type CcrInput, type CcrResult } from './credit-control.js';

const NO_CREDIT: Reason = { code: 'insufficient-credit', message: 'insufficient credit for this message' };
const DENIED: Reason = { code: 'service-denied', message: 'the charging system refused this message' };
const UNREACHABLE: Reason = { code: 'network-problem', message: 'charging system unavailable, try again later' };

/** A debit or reservation made in the charge stage, undone unless the message is stored. */
interface Hold {
  index: number;
  sessionId: string;
  subscriber: Address;
  units: number;
}

/**
 * MM9 online charging: Diameter Ro credit control (RFC 4006 / TS 32.299) against one or more
 * OCS peers, as a `ChargingBackend`. Event mode debits at submission; session mode reserves at
 * submission and commits or releases as recipients reach their final states.
 */
export default definePlugin({
  ...pluginIdentity(import.meta.url),
  apiVersion: '^1.0.0',
  description: 'MM9 online charging: Diameter Ro credit control (prepaid)',
  configSchema: mm9Options,
  setup(ctx) {
    const o = ctx.options;
    const pool = new PeerPool(
      o.peers.map((p) => ({ host: p.host, port: p.port, name: p.name ?? `${p.host}:${p.port}` })),
      {
        originHost: o.originHost,
        originRealm: o.originRealm,
        hostIpAddress: o.hostIpAddress,
        productName: o.productName,
        vendorId: 0,
        originStateId: Math.floor(Date.now() / 1000) >>> 0,
      },
      {
        connectTimeoutMs: o.timeouts.connectMs,
        watchdogIntervalMs: o.timeouts.watchdogMs,
        reconnectMinMs: o.timeouts.reconnectMinMs,
        reconnectMaxMs: o.timeouts.reconnectMaxMs,
      },
      ctx.log,
    );
    const cc = new CreditControl(pool, o, ctx.log, ctx.metrics);
    new Gauge({
      name: 'openmmsc_mm9_peers_open',
      help: 'OCS peers with an open Diameter connection',
      registers: [ctx.metrics],
      collect() {
        this.set(pool.openPeers().length);
      },
    });
    /** Holds per message id, until the `submission` event says the message was stored. */
    const holds = new Map<string, { items: Hold[]; timer: NodeJS.Timeout }>();
    const finishing = new Set<string>();
    const retries = new Set<NodeJS.Timeout>();
    let closing = false;

    const unitsFor = (n: number) => n * o.unitsPerRecipient;

    function kindOf(request: ChargeRequest, address: Address): 'to' | 'cc' | 'bcc' | undefined {
      const key = addressKey(address);
      const h = request.message.headers;
      if (h.to.some((a) => addressKey(a) === key)) return 'to';
      if (h.cc.some((a) => addressKey(a) === key)) return 'cc';
      if (h.bcc.some((a) => addressKey(a) === key)) return 'bcc';
      return undefined;
    }

    function unreachable(error: unknown): ChargeDecision {
      ctx.log.warn({ err: error, policy: o.onUnreachable }, 'OCS unreachable');
      if (o.onUnreachable === 'accept') return { kind: 'accept' };
      if (o.onUnreachable === 'reject') return { kind: 'reject', reason: DENIED };
      return { kind: 'defer', reason: UNREACHABLE };
    }

    function hold(messageId: string, items: Hold[]): void {
      if (!items.length) return;
      const timer = setTimeout(() => {
        holds.delete(messageId);
        ctx.log.warn({ messageId }, 'charged message was never stored; undoing its charges');
        for (const h of items) void undo(h);
      }, o.timeouts.orphanMs);
      timer.unref();
      holds.set(messageId, { items, timer });
    }

    /** Runs `op` now; when the OCS is unreachable, retries it in the background with back-off. */
    async function withRetry(what: string, op: () => Promise<void>, attempt = 0): Promise<void> {
      try {
        await op();
      } catch (error) {
        if (closing || attempt >= o.retry.attempts) {
          ctx.log.error({ err: error, what }, 'credit-control request abandoned');
          return;
        }
        const delay = Math.min(o.retry.baseMs * 2 ** attempt, 60_000);
        ctx.log.warn({ err: error, what, retryInMs: delay }, 'credit-control request failed; will retry');
        const timer = setTimeout(() => {
          retries.delete(timer);
          void withRetry(what, op, attempt + 1);
        }, delay);
        timer.unref();
        retries.add(timer);
      }
    }

    /** Closes a reservation (session mode) or refunds a debit (event mode), once. */
    async function settle(key: string, h: Hold, outcome: 'commit' | 'release'): Promise<void> {
      if (finishing.has(key) || (await ctx.kv.get(`done:${key}`))) return;
      finishing.add(key);
      try {
        await withRetry(`${outcome} ${h.sessionId}`, async () => {
          let result: CcrResult;
          if (o.mode === 'session') {
            result = await cc.send({
              sessionId: h.sessionId,
              type: CcRequestType.TERMINATION_REQUEST,
              number: 1,
              subscriber: h.subscriber,
              usedUnits: outcome === 'commit' ? h.units : 0,
              vars: {},
              recipients: [],
            });
          } else {
            if (outcome === 'commit') return;
            result = await cc.send({
              sessionId: cc.newSessionId(),
              type: CcRequestType.EVENT_REQUEST,
              number: 0,
              action: RequestedAction.REFUND_ACCOUNT,
              subscriber: h.subscriber,
              requestedUnits: h.units,
              vars: {},
              recipients: [],
            });
          }
          if (result.verdict === 'retry') throw new OcsUnreachableError(`OCS answered ${result.resultCode}`);
          if (result.verdict !== 'accept') ctx.log.warn({ sessionId: h.sessionId, resultCode: result.resultCode, outcome }, 'OCS refused to settle');
          await ctx.kv.set(`done:${key}`, outcome, 30 * 24 * 3600_000);
        });
      } finally {
        finishing.delete(key);
      }
    }

    const undo = (h: Hold) => settle(o.mode === 'session' ? h.sessionId : `refund:${h.sessionId}:${h.index}`, h, 'release');

    async function authorize(request: ChargeRequest): Promise<ChargeDecision> {
      const message = request.message;
      const vars = messageVars(message);
      // The Session-Id goes under the kernel's well-known key, so offline backends (MM8) put it in their CDRs.
      const charge = (h: Hold, state: string): Record<string, AttributeValue> => ({
        mm9: state,
        [CHARGING_SESSION_ID]: h.sessionId,
        mm9Units: h.units,
        mm9Subscriber: h.subscriber.value,
      });

      // One debit for the whole message, on the sender's account.
      if (o.mode === 'event' && o.chargedParty === 'originator') {
        const sessionId = cc.newSessionId();
        const units = unitsFor(request.recipients.length);
        let result: CcrResult;
        try {
          result = await cc.send({
            sessionId,
            type: CcRequestType.EVENT_REQUEST,
            number: 0,
            action: RequestedAction.DIRECT_DEBITING,
            subscriber: message.headers.from,
            requestedUnits: units,
            vars,
            recipients: request.recipients.map((r) => recipientVars(r.address, kindOf(request, r.address))),
          });
        } catch (error) {
          return unreachable(error);
        }
        if (result.verdict === 'no-credit') return { kind: 'reject', reason: NO_CREDIT };
        if (result.verdict === 'denied') return { kind: 'reject', reason: DENIED };
        if (result.verdict === 'retry') return unreachable(new Error(`OCS answered ${result.resultCode}`));
        const per = new Map<number, ChargeRecipientDecision>();
        const items: Hold[] = [];
        for (const r of request.recipients) {
          const h: Hold = { index: r.index, sessionId, subscriber: message.headers.from, units: o.unitsPerRecipient };
          items.push(h);
          per.set(r.index, { kind: 'accept', charge: charge(h, 'debited') });
        }
        hold(message.id, items);
        return { kind: 'accept', perRecipient: per };
      }

      // One request per recipient: per-recipient event debits, or reservations (session mode).
      const outcomes = await mapLimited(request.recipients, 8, async (r) => {
        const subscriber = o.chargedParty === 'originator' ? message.headers.from : r.address;
        const h: Hold = { index: r.index, sessionId: cc.newSessionId(), subscriber, units: o.unitsPerRecipient };
        try {
          const result = await cc.send({
            sessionId: h.sessionId,
            type: o.mode === 'session' ? CcRequestType.INITIAL_REQUEST : CcRequestType.EVENT_REQUEST,
            number: 0,
            ...(o.mode === 'event' ? { action: RequestedAction.DIRECT_DEBITING } : {}),
            subscriber,
            requestedUnits: h.units,
            vars,
            recipients: [recipientVars(r.address, kindOf(request, r.address))],
          });
          return { r, h, result };
        } catch (error) {
          return { r, h, error };
        }
      });
      const granted = outcomes.filter((x) => x.result?.verdict === 'accept').map((x) => x.h);
      const failed = outcomes.find((x) => x.error !== undefined || x.result?.verdict === 'retry');
      if (failed && o.onUnreachable !== 'accept') {
        for (const h of granted) void undo(h);
        return unreachable(failed.error ?? new Error(`OCS answered ${failed.result?.resultCode}`));
      }
      if (outcomes.every((x) => x.result?.verdict === 'no-credit')) return { kind: 'reject', reason: NO_CREDIT };
      const per = new Map<number, ChargeRecipientDecision>();
      for (const { r, h, result } of outcomes) {
        if (!result) per.set(r.index, { kind: 'accept', charge: { mm9: 'unreachable' } });
        else if (result.verdict === 'accept') per.set(r.index, { kind: 'accept', charge: charge(h, o.mode === 'session' ? 'reserved' : 'debited') });
        else if (result.verdict === 'no-credit') per.set(r.index, { kind: 'reject', reason: NO_CREDIT });
        else per.set(r.index, { kind: 'reject', reason: DENIED });
      }
      hold(message.id, granted);
      return { kind: 'accept', perRecipient: per };
    }

    async function settleSubmission(message: StoredMessage): Promise<void> {
      const entry = holds.get(message.id);
      if (!entry) return;
      holds.delete(message.id);
      clearTimeout(entry.timer);
      // Recipients that a later handler rejected before the message was stored never move again:
      // undo their charge now.
      const recipients = await ctx.mmsc.getRecipients(message.id);
      const rejected = new Set(recipients.filter((r) => r.state === 'rejected').map((r) => r.index));
      for (const h of entry.items) if (rejected.has(h.index)) await undo(h);
    }

    async function record(event: ChargingEvent): Promise<void> {
      if (event.type === 'submission') return settleSubmission(event.message);
      const c = event.recipient?.charge;
      // `mm9Session`: where 0.1 kept the Session-Id; recipients stored by it still carry it.
      const sessionId = c?.[CHARGING_SESSION_ID] ?? c?.mm9Session;
      if (!event.recipient || !c || typeof sessionId !== 'string' || typeof c.mm9Subscriber !== 'string') return;
      const h: Hold = {
        index: event.recipient.index,
        sessionId,
        subscriber: ctx.mmsc.parseAddress(c.mm9Subscriber),
        units: typeof c.mm9Units === 'number' ? c.mm9Units : o.unitsPerRecipient,
      };
      const failed = event.type === 'expired' || event.type === 'recipient-rejected';
      if (o.mode === 'session') {
        if (failed) await settle(h.sessionId, h, 'release');
        else if ((o.commitOn as readonly string[]).includes(event.type)) await settle(h.sessionId, h, 'commit');
      } else if (failed && o.refundOnFailure) {
        await undo(h);
      }
    }

    ctx.provide('ChargingBackend', { name: ctx.name, authorize, record });

    return {
      start() {
        pool.start();
      },
      ready() {
        // Fail-open deployments keep taking traffic without an OCS; the others are not ready.
        if (pool.openPeers().length > 0 || o.onUnreachable === 'accept') return true;
        return `no OCS peer open (${pool.peers.map((p) => `${p.config.name}: ${p.state}`).join(', ')})`;
      },
      async close() {
        closing = true;
        for (const t of retries) clearTimeout(t);
        for (const { timer } of holds.values()) clearTimeout(timer);
        await pool.stop();
      },
    };
  },
});

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
