import type { IncomingHttpHeaders } from 'node:http';
import type { Address, IngressDeps, MmsHeaders, Origin, SubmitInput } from '@openmmsc/core';
import { accepted, refused, type EaifAnswer } from './answers.js';
import { authenticate, type Application, type Applications } from './applications.js';
import { isAsyncStatus, settleAsyncDelivery } from './async-status.js';
import { EAIF_HEADER, MMS_MESSAGE, readSubmissionHeaders, type SubmissionHeaders } from './eaif-headers.js';
import { parseOrRefuse, readSendReq, type SubmittedPdu } from './inbound-pdu.js';
import type { EaifMetrics } from './metrics.js';
import type { EaifOptions } from './options.js';
import { Refusal } from './refusal.js';

/** The interface name of messages that came in over EAIF (`origin.interface`, the ReportSender's). */
export const EAIF_INTERFACE = 'eaif';

export interface EaifRequest {
  headers: IncomingHttpHeaders;
  body: Uint8Array;
  /** The client's address. */
  ip: string;
}

export interface InboundDeps extends IngressDeps<EaifOptions, EaifMetrics> {
  apps: Applications;
}

// NowSMS's documentation spells the type with a dot; clients copied from it send that.
const CONTENT_TYPES = new Set([MMS_MESSAGE, 'application/vnd.wap.mms.message']);

/** Application → MMSC: one POSTed m-send-req in, one EAIF answer out. Framework-free; never throws. */
export class EaifInbound {
  constructor(private readonly deps: InboundDeps) {}

  versionFor(app: Application | undefined): string {
    return app?.options.version ?? this.deps.options.version;
  }

  /** An answer for a request refused before it could be read (too large, cut short, timed out, load). */
  refuse(refusal: Refusal, deferred = false): EaifAnswer {
    this.deps.metrics.refusals.inc({ reason: refusal.code });
    return refused(refusal, this.deps.options.version, deferred);
  }

  async handle(req: EaifRequest): Promise<EaifAnswer> {
    let app: Application | undefined;
    try {
      const auth = authenticate(this.deps.apps, req.headers.authorization, req.ip);
      if (!auth.ok) {
        if (auth.why === 'source-not-allowed') throw new Refusal('source-not-allowed', `application ${auth.app.id} may not connect from ${req.ip}`);
        throw new Refusal('unauthorized', 'valid HTTP Basic credentials of an application are required');
      }
      app = auth.app;
      const wait = app.rate.take();
      if (wait > 0) throw new Refusal('throughput', `throughput limit of ${app.options.throughput} submissions/s reached; try again later`, wait);
      if (isAsyncStatus(req.headers, req.body)) {
        const settled = await settleAsyncDelivery(this.deps.mmsc, this.deps.name, app, req.headers);
        this.deps.log.info({ app: app.id, settled }, 'EAIF asynchronous delivery result received');
        return { status: 204, headers: { [EAIF_HEADER.version]: this.versionFor(app) } };
      }
      const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
      if (!type || !CONTENT_TYPES.has(type)) throw new Refusal('unsupported-message', `Content-Type must be ${MMS_MESSAGE}, not ${type ?? 'absent'}`);
      const eaif = readSubmissionHeaders(req.headers);
      const pdu = readSendReq(req.body, this.deps.now(), this.deps.options.limits.maxParts);
      return await this.submit(app, eaif, pdu);
    } catch (error) {
      if (error instanceof Refusal) {
        this.deps.metrics.refusals.inc({ reason: error.code });
        this.deps.log.info({ app: app?.id, ip: req.ip, reason: error.code, err: error.message }, 'EAIF submission refused');
        return refused(error, this.versionFor(app));
      }
      this.deps.log.error({ err: error, app: app?.id }, 'EAIF submission failed');
      this.deps.metrics.refusals.inc({ reason: 'internal-error' });
      return refused(new Refusal('internal-error', 'temporary failure; try again'), this.versionFor(app));
    }
  }

  private sender(app: Application, eaif: SubmissionHeaders, pdu: SubmittedPdu): Address {
    const parse = (raw: string) => this.deps.mmsc.parseAddress(raw);
    const written = eaif.from ?? (pdu.from === 'insert' ? undefined : pdu.from);
    if (written === undefined) {
      if (!app.defaultSender) throw new Refusal('sending-address-unresolved', 'the m-send-req asks for an inserted sender, and this application has no default sender');
      return app.defaultSender;
    }
    const address = parseOrRefuse(written, parse, 'sender');
    const own = app.ownSender(address);
    if (!own) throw new Refusal('sending-address-unresolved', `sender ${address.value} is not allowed for application ${app.id}`);
    return own;
  }

  private recipients(app: Application, eaif: SubmissionHeaders, pdu: SubmittedPdu): Pick<MmsHeaders, 'to' | 'cc' | 'bcc'> {
    const parse = (raw: string) => this.deps.mmsc.parseAddress(raw);
    // X-NOKIA-MMSC-To replaces the PDU's recipients (Nokia MMSC, Mbuni, NowSMS).
    const lists = eaif.to.length ? { to: eaif.to, cc: [], bcc: [] } : { to: pdu.to, cc: pdu.cc, bcc: pdu.bcc };
    const count = lists.to.length + lists.cc.length + lists.bcc.length;
    if (count === 0) throw new Refusal('address-unresolved', `no recipient: neither ${EAIF_HEADER.to} nor the m-send-req names one`);
    const max = app.options.maxRecipients ?? this.deps.kernelLimits.maxRecipients;
    if (count > max) throw new Refusal('too-many-recipients', `${count} recipients; application ${app.id} may send to at most ${max}`);
    const all = (list: string[]) => list.map((raw) => parseOrRefuse(raw, parse, 'recipient'));
    return { to: all(lists.to), cc: all(lists.cc), bcc: all(lists.bcc) };
  }

  private async submit(app: Application, eaif: SubmissionHeaders, pdu: SubmittedPdu): Promise<EaifAnswer> {
    const { mmsc, options } = this.deps;
    const from = this.sender(app, eaif, pdu);
    const recipients = this.recipients(app, eaif, pdu);
    const size = pdu.parts.reduce((n, p) => n + p.data.byteLength, 0);
    const maxSize = app.options.maxMessageSize ?? this.deps.kernelLimits.maxMessageSize;
    if (size > maxSize) throw new Refusal('size-exceeded', `content is ${size} bytes; application ${app.id} may send at most ${maxSize}`);

    const extra: Record<string, string> = {};
    const attributes: Record<string, string | number | boolean> = { vaspId: app.id, channel: EAIF_INTERFACE };
    if (pdu.transactionId) attributes.transactionId = pdu.transactionId;
    if (eaif.messageId) {
      attributes.applicationMessageId = eaif.messageId;
      extra[EAIF_HEADER.messageId] = eaif.messageId;
    }
    if (eaif.charging) {
      attributes.charging = eaif.charging;
      extra[EAIF_HEADER.charging] = eaif.charging;
    }
    if (eaif.chargedParty) {
      attributes.chargedParty = eaif.chargedParty;
      extra[EAIF_HEADER.chargedParty] = eaif.chargedParty;
    }
    if (eaif.version) attributes.eaifVersion = eaif.version;
    const headers: MmsHeaders = { ...pdu.headers, from, ...recipients, contentType: pdu.contentType };
    if (Object.keys(extra).length) headers.extra = extra;
    const origin: Origin = { interface: EAIF_INTERFACE, peer: app.id, attributes };
    const input: SubmitInput = { message: { headers, parts: pdu.parts }, origin };
    // A retransmission repeats the application's message id, or else the PDU's transaction id.
    const key = eaif.messageId ? `mid:${eaif.messageId}` : pdu.transactionId ? `tx:${pdu.transactionId}` : undefined;
    if (options.dedupeWindow > 0 && key) input.retransmission = { key: `${app.id}:${key}`, windowMs: options.dedupeWindow };

    const result = await mmsc.submit(input);
    const log = this.deps.log.child({ app: app.id, messageId: result.messageId, tx: pdu.transactionId });
    if (result.retransmission) log.info('EAIF submission retransmitted: answered with the first message id');
    else if (result.reusedKey) log.info('EAIF message or transaction id reused for another message: accepted as a new one');
    if (result.status === 'rejected') throw new Refusal(result.reason.code, result.reason.message);
    if (result.status === 'deferred') {
      this.deps.metrics.refusals.inc({ reason: result.reason.code });
      log.info({ reason: result.reason.code, err: result.reason.message }, 'EAIF submission deferred');
      return refused(new Refusal(result.reason.code, result.reason.message, result.retryAfterMs), this.versionFor(app), true);
    }
    // EAIF has no per-recipient answer, and the kernel reports nothing for recipients refused here.
    const refusedRecipients = result.recipients.flatMap((r) => (r.status === 'rejected' ? [`${r.address.value}: ${r.reason.message}`] : []));
    if (refusedRecipients.length) log.info({ refused: refusedRecipients }, 'EAIF submission accepted for some recipients only');
    this.deps.metrics.accepted.inc();
    return accepted(result.messageId, this.versionFor(app));
  }
}
