import { segmentForSms } from '@openmmsc/codec';
import { definePlugin, type Address, type PushRequest, type PushResult } from '@openmmsc/core';
import { Counter, Gauge } from 'prom-client';
import { SmscLink, type IncomingSms, type SubmitOutcome } from './link.js';
import { pushSmppOptions, type PushSmppOptions } from './options.js';
import { alternativeIds, isReceiptEsmClass, parseReceipt, type DeliveryReceipt } from './receipt.js';
import { ESME_RMSGQFUL, ESME_RTHROTTLED, classifyStatus, describeStatus } from './status.js';
import { segmentText } from './text.js';

export { pushSmppOptions, linkOptions, type PushSmppOptions, type LinkOptions } from './options.js';
export { SMPP_STATUS, describeStatus, classifyStatus, type StatusClass } from './status.js';
export { parseReceipt, type DeliveryReceipt } from './receipt.js';
export { segmentText, encodeGsm7, decodeGsm7, type TextSegments, type TextCoding } from './text.js';
export type { LinkState } from './link.js';

/** What is kept (in `ctx.kv`, key `smsc-id:<id>`) for each SMSC message id, to match delivery receipts. */
export interface SubmittedRecord {
  messageId: string;
  /** The recipient address the notification went to (normalised, e.g. `+15550000002`). */
  recipient: string;
  kind: string;
  link: string;
  segment: number;
  segments: number;
  at: number;
}

/** A delivery receipt as recorded (key `receipt:<smsc id>`, and `receipt:<messageId>:<recipient>` when matched). */
export interface ReceiptRecord extends DeliveryReceipt {
  link: string;
  at: number;
  messageId?: string;
  recipient?: string;
}

const NAME = '@openmmsc/plugin-push-smpp';

/**
 * Push bearer over SMPP 3.4: MMS notifications as WAP Push in binary SMS (UDHI, 8-bit data,
 * WDP ports 2948/9200, concatenated when needed), text SMS, several SMSC links with failover or
 * load sharing, delivery receipts.
 */
export default definePlugin({
  name: NAME,
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'SMPP push bearer: WAP Push over binary SMS through SMSC links',
  configSchema: pushSmppOptions,
  facts: () => ({ provides: ['PushBearer'] }),
  setup(ctx) {
    const o: PushSmppOptions = ctx.options;
    const r16 = o.concatReference === '16bit';
    const overrides = { retry: o.retryStatuses, fail: o.failStatuses };

    const submitsTotal = new Counter({
      name: 'openmmsc_smpp_submits_total',
      help: 'submit_sm sent, by link and outcome (ok, throttled, queue-full, error, timeout, link-down, aborted)',
      labelNames: ['link', 'outcome'],
      registers: [ctx.metrics],
    });
    const pushesTotal = new Counter({
      name: 'openmmsc_smpp_pushes_total',
      help: 'Notifications and text SMS handled by the SMPP bearer, by result (sent, retry, failed)',
      labelNames: ['result'],
      registers: [ctx.metrics],
    });
    const receiptsTotal = new Counter({
      name: 'openmmsc_smpp_delivery_receipts_total',
      help: 'SMSC delivery receipts received, by stat (DELIVRD, UNDELIV, EXPIRED, …)',
      labelNames: ['stat'],
      registers: [ctx.metrics],
    });
    const linkBound = new Gauge({
      name: 'openmmsc_smpp_link_bound',
      help: '1 while the SMSC link is bound, else 0',
      labelNames: ['link'],
      registers: [ctx.metrics],
    });
    new Gauge({
      name: 'openmmsc_smpp_window_in_flight',
      help: 'submit_sm awaiting their submit_sm_resp, per link',
      labelNames: ['link'],
      registers: [ctx.metrics],
      collect() {
        for (const l of links) this.set({ link: l.name }, l.inFlight.now);
      },
    });

    const seen = new Map<string, number>();
    const links = o.links.map((lo) => {
      const base = lo.name ?? `${lo.host}:${lo.port}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      const link = new SmscLink({ ...lo, name: n === 1 ? base : `${base}#${n}` }, ctx.log, (l, state) => linkBound.set({ link: l.name }, state === 'bound' ? 1 : 0));
      linkBound.set({ link: link.name }, 0);
      link.on('deliver', (sms) => {
        onDeliver(link, sms).catch((error: unknown) => ctx.log.error({ err: error, link: link.name }, 'could not record a delivery receipt'));
      });
      return link;
    });

    // Recently submitted SMSC ids, so that a receipt racing the kv write still matches.
    const recent = new Map<string, SubmittedRecord>();
    const remember = (id: string, rec: SubmittedRecord) => {
      recent.set(id, rec);
      if (recent.size > 10_000) recent.delete(recent.keys().next().value!);
      ctx.kv.set(`smsc-id:${id}`, rec, o.receiptTtlMs).catch((error: unknown) => ctx.log.error({ err: error }, 'could not store an SMSC message id'));
    };

    let rr = 0;
    const candidates = (): SmscLink[] => {
      const bound = links.filter((l) => l.bound);
      if (o.strategy !== 'round-robin' || bound.length < 2) return bound;
      const start = rr++ % bound.length;
      return [...bound.slice(start), ...bound.slice(0, start)];
    };

    const waitAnyBound = async (ms: number, signal: AbortSignal): Promise<boolean> => {
      if (links.some((l) => l.bound)) return true;
      const ac = new AbortController();
      const onAbort = () => ac.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const results = links.map((l) => l.waitBound(ms, ac.signal).then((ok) => ok || Promise.reject(new Error('not bound'))));
        return await Promise.any(results).then(
          () => true,
          () => false,
        );
      } finally {
        ac.abort();
        signal.removeEventListener('abort', onAbort);
      }
    };

    const linkSummary = () => links.map((l) => `${l.name}: ${l.state}${l.lastError ? ` (${l.lastError})` : ''}`).join('; ');

    const count = (r: PushResult): PushResult => {
      pushesTotal.inc({ result: r.status });
      return r;
    };

    async function push(request: PushRequest, signal: AbortSignal): Promise<PushResult> {
      const dest = destinationOf(request.to, o.numberFormat);
      if (typeof dest !== 'string') return count({ status: 'failed', reason: dest.error });
      type Plan = { segments: Buffer[]; esmClass: number; dataCoding: number };
      let plan: (link: SmscLink) => Plan;
      if (request.text !== undefined) {
        const text = request.text;
        plan = (link) => segmentText(text, o.textDataCoding, link.nextReference(r16), r16);
      } else if (request.pdu) {
        const pdu = request.pdu;
        plan = (link) => ({ segments: segmentForSms(pdu, { reference: link.nextReference(r16), reference16bit: r16 }), esmClass: 0x40, dataCoding: 0x04 });
      } else {
        return count({ status: 'failed', reason: 'nothing to send: the request has neither a WAP Push PDU nor a text (is a plugin that builds notifications, such as MM1, configured?)' });
      }

      let list = candidates();
      if (list.length === 0) {
        await waitAnyBound(o.waitForLinkMs, signal);
        list = candidates();
      }
      if (list.length === 0) {
        const next = links.map((l) => l.nextAttemptAt).filter((t): t is number => t !== undefined);
        const retryAfterMs = next.length ? Math.max(100, Math.min(...next) - Date.now() + 500) : Math.max(100, o.links[0]!.reconnect.baseMs);
        return count({ status: 'retry', reason: `no SMSC link is bound (${linkSummary()})`, retryAfterMs });
      }

      let lastDown = '';
      for (const link of list) {
        if (!link.bound) continue;
        let p: Plan;
        try {
          p = plan(link);
        } catch (error) {
          return count({ status: 'failed', reason: `cannot be sent as SMS: ${(error as Error).message}` });
        }
        const registeredDelivery = o.registeredDelivery ? 1 : 0;
        const outcomes = await Promise.all(
          p.segments.map((shortMessage) =>
            link.submit({ destinationAddr: dest, esmClass: p.esmClass, dataCoding: p.dataCoding, registeredDelivery, shortMessage }, signal),
          ),
        );
        for (const out of outcomes) submitsTotal.inc({ link: link.name, outcome: outcomeLabel(out) });
        const verdict = evaluate(link, outcomes);
        if (verdict === 'down') {
          lastDown = `SMSC link ${link.name} went down while sending`;
          continue;
        }
        if (verdict.status === 'sent') {
          const ids = outcomes.map((out) => (out.kind === 'ok' ? out.messageId : ''));
          if (o.registeredDelivery) {
            ids.forEach((id, i) => {
              if (id) {
                remember(id, {
                  messageId: request.notification.messageId,
                  recipient: request.to.value,
                  kind: request.text !== undefined ? 'text' : request.notification.kind,
                  link: link.name,
                  segment: i + 1,
                  segments: ids.length,
                  at: ctx.clock.now(),
                });
              }
            });
          }
          ctx.log.debug({ link: link.name, to: dest, segments: ids.length, ids }, 'push sent over SMPP');
          return count(ids.some(Boolean) ? { status: 'sent', reference: ids.filter(Boolean).join(',') } : { status: 'sent' });
        }
        return count(verdict);
      }
      return count({ status: 'retry', reason: lastDown || `no SMSC link is bound (${linkSummary()})`, retryAfterMs: Math.max(100, o.links[0]!.reconnect.baseMs) });
    }

    function evaluate(link: SmscLink, outcomes: SubmitOutcome[]): PushResult | 'down' {
      const n = outcomes.length;
      const where = (i: number) => (n > 1 ? ` (segment ${i + 1} of ${n})` : '');
      const errors = outcomes.map((out, i) => ({ out, i })).filter((x): x is { out: { kind: 'error'; status: number }; i: number } => x.out.kind === 'error');
      const permanent = errors.find((e) => classifyStatus(e.out.status, overrides) === 'fail');
      if (permanent) {
        return { status: 'failed', reason: `SMSC ${link.name} refused the SMS${where(permanent.i)}: ${describeStatus(permanent.out.status)}` };
      }
      const throttled = errors.find((e) => e.out.status === ESME_RTHROTTLED || e.out.status === ESME_RMSGQFUL);
      if (throttled) {
        link.pause(o.throttleRetryMs);
        return { status: 'retry', reason: `SMSC ${link.name} answered ${describeStatus(throttled.out.status)}`, retryAfterMs: o.throttleRetryMs };
      }
      const temporary = errors[0];
      if (temporary) return { status: 'retry', reason: `SMSC ${link.name} answered ${describeStatus(temporary.out.status)}${where(temporary.i)}` };
      if (outcomes.some((out) => out.kind === 'timeout')) {
        return { status: 'retry', reason: `no submit_sm_resp from ${link.name} within ${link.options.responseTimeoutMs} ms` };
      }
      if (outcomes.some((out) => out.kind === 'aborted')) return { status: 'retry', reason: 'aborted (the MMSC is stopping)' };
      if (outcomes.some((out) => out.kind === 'down')) return 'down';
      return { status: 'sent' };
    }

    async function onDeliver(link: SmscLink, sms: IncomingSms): Promise<void> {
      const looksLikeReceipt = isReceiptEsmClass(sms.esmClass) || sms.receiptedMessageId !== undefined;
      if (!looksLikeReceipt) {
        ctx.log.info({ link: link.name, from: sms.sourceAddr, to: sms.destinationAddr }, 'mobile-originated SMS received and ignored (this bearer only sends)');
        return;
      }
      const tlv: { receiptedMessageId?: string; messageState?: number } = {};
      if (sms.receiptedMessageId !== undefined) tlv.receiptedMessageId = sms.receiptedMessageId;
      if (sms.messageState !== undefined) tlv.messageState = sms.messageState;
      const receipt = parseReceipt(sms.text, tlv);
      if (!receipt) {
        ctx.log.warn({ link: link.name, text: sms.text }, 'delivery receipt without a message id');
        return;
      }
      receiptsTotal.inc({ stat: receipt.stat });
      let sub: SubmittedRecord | undefined;
      let matchedId = receipt.id;
      for (const id of [receipt.id, ...alternativeIds(receipt.id)]) {
        sub = recent.get(id) ?? (await ctx.kv.get<SubmittedRecord>(`smsc-id:${id}`));
        if (sub) {
          matchedId = id;
          break;
        }
      }
      const record: ReceiptRecord = { ...receipt, link: link.name, at: ctx.clock.now() };
      if (sub) {
        record.messageId = sub.messageId;
        record.recipient = sub.recipient;
      }
      await ctx.kv.set(`receipt:${matchedId}`, record, o.receiptTtlMs);
      if (!sub) {
        ctx.log.info({ link: link.name, smscId: receipt.id, stat: receipt.stat }, `delivery receipt ${receipt.stat} for an unknown SMSC message id ${receipt.id}`);
        return;
      }
      await ctx.kv.set(`receipt:${sub.messageId}:${sub.recipient}`, record, o.receiptTtlMs);
      ctx.log.info(
        { link: link.name, smscId: matchedId, messageId: sub.messageId, recipient: sub.recipient, stat: receipt.stat, err: receipt.err },
        `delivery receipt ${receipt.stat} for message ${sub.messageId} to ${sub.recipient}`,
      );
      const recipients = await ctx.mmsc.getRecipients(sub.messageId);
      const r = recipients.find((x) => x.address.value === sub.recipient);
      if (r) {
        await ctx.mmsc.setRecipientAttributes(sub.messageId, r.index, { pushReceipt: receipt.stat, pushReceiptAt: record.at }).catch((error: unknown) => {
          ctx.log.debug({ err: error }, 'could not note the receipt on the recipient');
        });
      }
    }

    ctx.provide('PushBearer', { name: ctx.name, push });

    return {
      async start() {
        for (const l of links) l.start();
        // Give the links a moment to bind so the first notifications need no retry; never block long.
        await Promise.any(links.map((l) => l.waitBound(o.waitForLinkMs).then((ok) => ok || Promise.reject(new Error('not bound'))))).catch(() => {
          ctx.log.warn(`no SMSC link bound yet (${linkSummary()}); notifications wait until one is`);
        });
      },
      async close() {
        await Promise.all(links.map((l) => l.stop()));
      },
      ready() {
        return links.some((l) => l.bound) ? true : `no SMSC link bound (${linkSummary()})`;
      },
    };
  },
});

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
    case 'aborted':
      return 'aborted';
  }
}
