import { CHARGING_SESSION_ID, addressKey, type Address, type AttributeValue, type ChargeDecision, type ChargeRecipientDecision, type ChargeRequest, type PluginContext, type Reason } from '@openmmsc/core';
import { CcRequestType, RequestedAction } from '@openmmsc/diameter';
import { messageVars, recipientVars, type CcrResult, type CreditControl } from './credit-control.js';
import type { Mm9Options } from './options.js';
import type { PendingCharges } from './pending-charges.js';
import type { Hold } from './settlements.js';

const NO_CREDIT: Reason = { code: 'insufficient-credit', message: 'insufficient credit for this message' };
const DENIED: Reason = { code: 'service-denied', message: 'the charging system refused this message' };
const UNREACHABLE: Reason = { code: 'network-problem', message: 'charging system unavailable, try again later' };

/**
 * The charge stage: one debit for the whole message on the sender's account, or one request
 * per recipient (per-recipient debits, or reservations in session mode).
 */
export function createAuthorize(o: Mm9Options, cc: CreditControl, pending: PendingCharges, log: PluginContext<unknown>['log']): (request: ChargeRequest) => Promise<ChargeDecision> {
  const unitsFor = (n: number) => n * o.unitsPerRecipient;

  function unreachable(error: unknown): ChargeDecision {
    log.warn({ err: error, policy: o.onUnreachable }, 'OCS unreachable');
    if (o.onUnreachable === 'accept') return { kind: 'accept' };
    if (o.onUnreachable === 'reject') return { kind: 'reject', reason: DENIED };
    return { kind: 'defer', reason: UNREACHABLE };
  }

  // The Session-Id goes under the kernel's well-known key, so offline backends (MM8) put it in their CDRs.
  const charge = (h: Hold, state: string): Record<string, AttributeValue> => ({
    mm9: state,
    [CHARGING_SESSION_ID]: h.sessionId,
    mm9Units: h.units,
    mm9Subscriber: h.subscriber.value,
  });

  async function debitOriginator(request: ChargeRequest): Promise<ChargeDecision> {
    const message = request.message;
    const sessionId = cc.newSessionId();
    let result: CcrResult;
    try {
      result = await cc.send({
        sessionId,
        type: CcRequestType.EVENT_REQUEST,
        number: 0,
        action: RequestedAction.DIRECT_DEBITING,
        subscriber: message.headers.from,
        requestedUnits: unitsFor(request.recipients.length),
        vars: messageVars(message),
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
    pending.add(message.id, items);
    return { kind: 'accept', perRecipient: per };
  }

  async function perRecipient(request: ChargeRequest): Promise<ChargeDecision> {
    const message = request.message;
    const vars = messageVars(message);
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
      for (const h of granted) await pending.undo(h);
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
    pending.add(message.id, granted);
    return { kind: 'accept', perRecipient: per };
  }

  return (request) => (o.mode === 'event' && o.chargedParty === 'originator' ? debitOriginator(request) : perRecipient(request));
}

function kindOf(request: ChargeRequest, address: Address): 'to' | 'cc' | 'bcc' | undefined {
  const key = addressKey(address);
  const h = request.message.headers;
  if (h.to.some((a) => addressKey(a) === key)) return 'to';
  if (h.cc.some((a) => addressKey(a) === key)) return 'cc';
  if (h.bcc.some((a) => addressKey(a) === key)) return 'bcc';
  return undefined;
}

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
