import { segmentForSms } from '@openmmsc/codec';
import type { Address, PluginContext, PushBearer, PushRequest, PushResult } from '@openmmsc/core';
import type { SmscLink, SubmitOutcome } from './link.js';
import { describeLink, type LinkSet } from './link-set.js';
import type { SmppMetrics } from './metrics.js';
import type { PushSmppOptions } from './options.js';
import type { ReceiptBook } from './receipts.js';
import { ESME_RMSGQFUL, ESME_RTHROTTLED, classifyStatus, describeStatus } from './status.js';
import { segmentText } from './text.js';

type Plan = { segments: Buffer[]; esmClass: number; dataCoding: number };

/**
 * What one try on one link came to: a result for the kernel, or a reason to try another link
 * (`avoid`: not this one again for this push, it is down or hung).
 */
type Verdict = { result: PushResult } | { move: string; avoid?: boolean };

export interface BearerDeps {
  ctx: PluginContext<PushSmppOptions>;
  links: LinkSet;
  receipts: ReceiptBook;
  metrics: SmppMetrics;
}

/**
 * The push: segments the request, finds a link that can take it now (waiting up to
 * `waitForLinkMs`), and moves to another link when one is throttled, hung or down. A push no
 * link could take is `unavailable`: the kernel holds it, without using an attempt, until the
 * estimate or until a link is back in rotation.
 */
export function smppBearer({ ctx, links, receipts, metrics }: BearerDeps): PushBearer {
  const o = ctx.options;
  const r16 = o.concatReference === '16bit';
  const overrides = { retry: o.retryStatuses, fail: o.failStatuses };
  const count = (r: PushResult): PushResult => {
    metrics.pushes.inc({ result: r.status });
    return r;
  };

  function planFor(request: PushRequest): ((link: SmscLink) => Plan) | string {
    if (request.text !== undefined) {
      const text = request.text;
      return (link) => segmentText(text, o.textDataCoding, link.nextReference(r16), r16);
    }
    if (request.pdu) {
      const pdu = request.pdu;
      return (link) => ({ segments: segmentForSms(pdu, { reference: link.nextReference(r16), reference16bit: r16 }), esmClass: 0x40, dataCoding: 0x04 });
    }
    return 'nothing to send: the request has neither a WAP Push PDU nor a text (is a plugin that builds notifications, such as MM1, configured?)';
  }

  async function push(request: PushRequest, signal: AbortSignal): Promise<PushResult> {
    const dest = destinationOf(request.to, o.numberFormat);
    if (typeof dest !== 'string') return count({ status: 'failed', reason: dest.error });
    const plan = planFor(request);
    if (typeof plan === 'string') return count({ status: 'failed', reason: plan });

    const deadline = Date.now() + o.waitForLinkMs;
    let problem = '';
    const avoid = new Set<SmscLink>();
    // Each try either ends the push or leaves its link paused, down or out of rotation.
    for (let tries = 0; tries < links.links.length * 4; tries++) {
      const link = await links.pick(deadline, signal, avoid);
      if (!link) break;
      let p: Plan;
      try {
        p = plan(link);
      } catch (error) {
        link.releaseProbe();
        return count({ status: 'failed', reason: `cannot be sent as SMS: ${(error as Error).message}` });
      }
      const outcomes = await submitAll(
        p.segments.map(async (shortMessage, i) => {
          const params = { destinationAddr: dest, esmClass: p.esmClass, dataCoding: p.dataCoding, registeredDelivery: o.registeredDelivery ? 1 : 0, shortMessage };
          const out = await link.submit(params, { signal, deadline });
          if (out.kind !== 'busy') metrics.submits.inc({ link: link.name, outcome: outcomeLabel(out) });
          // At once, per segment: a receipt may follow its submit_sm_resp within milliseconds.
          if (out.kind === 'ok' && out.messageId && o.registeredDelivery) {
            receipts.remember(out.messageId, {
              messageId: request.notification.messageId,
              recipient: request.to.value,
              kind: request.text !== undefined ? 'text' : request.notification.kind,
              link: link.name,
              segment: i + 1,
              segments: p.segments.length,
              at: ctx.clock.now(),
            });
          }
          return out;
        }),
        () => link.releaseProbe(),
      );
      const verdict = evaluate(link, outcomes);
      if ('result' in verdict) {
        if (verdict.result.status === 'sent') ctx.log.debug({ link: link.name, to: dest, segments: outcomes.length }, 'push sent over SMPP');
        return count(verdict.result);
      }
      problem = verdict.move;
      if (verdict.avoid) avoid.add(link);
    }
    if (signal.aborted) return count({ status: 'retry', reason: 'aborted (the MMSC is stopping)' });
    return count({ status: 'unavailable', reason: problem || `no SMSC link can take it (${links.summary()})`, retryAfterMs: links.retryEstimate() });
  }

  function evaluate(link: SmscLink, outcomes: SubmitOutcome[]): Verdict {
    const n = outcomes.length;
    const where = (i: number) => (n > 1 ? ` (segment ${i + 1} of ${n})` : '');
    const errors = outcomes.map((out, i) => ({ out, i })).filter((x): x is { out: { kind: 'error'; status: number }; i: number } => x.out.kind === 'error');
    const permanent = errors.find((e) => classifyStatus(e.out.status, overrides) === 'fail');
    if (permanent) return { result: { status: 'failed', reason: `SMSC ${link.name} refused the SMS${where(permanent.i)}: ${describeStatus(permanent.out.status)}` } };
    const throttled = errors.find((e) => e.out.status === ESME_RTHROTTLED || e.out.status === ESME_RMSGQFUL);
    if (throttled) return { move: `SMSC ${link.name} answered ${describeStatus(throttled.out.status)}` };
    const temporary = errors[0];
    if (temporary) return { result: { status: 'retry', reason: `SMSC ${link.name} answered ${describeStatus(temporary.out.status)}${where(temporary.i)}` } };
    if (outcomes.some((out) => out.kind === 'timeout')) return { move: `no submit_sm_resp from ${link.name} within ${link.options.responseTimeoutMs} ms (link taken out of rotation)`, avoid: true };
    if (outcomes.some((out) => out.kind === 'aborted')) return { result: { status: 'retry', reason: 'aborted (the MMSC is stopping)' } };
    if (outcomes.some((out) => out.kind === 'down')) return { move: `SMSC link ${link.name} went down while sending`, avoid: true };
    if (outcomes.some((out) => out.kind === 'busy')) return { move: `SMSC link ${link.name} had no room within ${o.waitForLinkMs} ms (${describeLink(link)})` };
    const ids = outcomes.map((out) => (out.kind === 'ok' ? out.messageId : '')).filter(Boolean);
    return { result: ids.length > 0 ? { status: 'sent', reference: ids.join(',') } : { status: 'sent' } };
  }

  return {
    name: ctx.name,
    push,
    availability: () => links.availability(),
    onAvailable: (listener) => links.onAvailable(listener),
  };
}

async function submitAll(sends: Promise<SubmitOutcome>[], done: () => void): Promise<SubmitOutcome[]> {
  try {
    return await Promise.all(sends);
  } finally {
    done();
  }
}

function destinationOf(to: Address, format: PushSmppOptions['numberFormat']): string | { error: string } {
  if (to.type === 'plmn') return format === 'international-plus' ? to.value : to.value.replace(/^\+/, '');
  if (to.type === 'shortcode') return to.value;
  return { error: `SMS cannot reach ${to.type} address ${to.value}` };
}

function outcomeLabel(out: SubmitOutcome): string {
  switch (out.kind) {
    case 'ok':
      return 'ok';
    case 'error':
      return out.status === ESME_RTHROTTLED ? 'throttled' : out.status === ESME_RMSGQFUL ? 'queue-full' : 'error';
    case 'timeout':
      return 'timeout';
    case 'down':
      return 'link-down';
    case 'busy':
      return 'busy'; // not counted: nothing was sent
    case 'aborted':
      return 'aborted';
  }
}
