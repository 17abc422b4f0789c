import { RetryLaterError, type DeliveryRequest, type DeliveryResult, type ReasonCode, type Report, type StoredMessage } from '@openmmsc/core';
import type { EncodedChunks } from '@openmmsc/codec';
import type { Logger } from 'pino';
import type { Application, Applications } from './applications.js';
import { EAIF_HEADER, MMS_MESSAGE, type EaifMessageType } from './eaif-headers.js';
import { postToApplication, type PostOutcome } from './http-post.js';
import type { EaifMetrics } from './metrics.js';
import { deliveryReportPdu, headerAddress, messagePdu, readReportPdu } from './outbound-pdu.js';

/** The route target of addresses applications own; `route.destination` is the application id. */
export const EAIF_TARGET = 'eaif';

export interface OutboundDeps {
  apps: Applications;
  /** Plugin-wide X-NOKIA-MMSC-Version. */
  version: string;
  log: Logger;
  metrics: EaifMetrics;
}

// Charging headers an application gave on submission travel on to the application that receives it.
const PASSED_ON = [EAIF_HEADER.charging, EAIF_HEADER.chargedParty] as const;

function refusalCode(httpStatus: number): ReasonCode {
  if (httpStatus === 413) return 'size-exceeded';
  if (httpStatus === 415) return 'content-not-accepted';
  return 'service-denied';
}

/** MMSC → application: messages to its addresses (Deliverer), reports on what it sent (ReportSender). */
export class EaifOutbound {
  constructor(private readonly deps: OutboundDeps) {}

  private post(app: Application, url: string, type: EaifMessageType, headers: Record<string, string>, body: Uint8Array | EncodedChunks, signal: AbortSignal): Promise<PostOutcome> {
    return postToApplication({
      url,
      headers: {
        'content-type': MMS_MESSAGE,
        [EAIF_HEADER.messageType]: type,
        [EAIF_HEADER.version]: app.options.version ?? this.deps.version,
        ...headers,
      },
      body,
      timeoutMs: app.options.timeout,
      auth: app.options.outboundAuth,
      signal,
    });
  }

  /** The `Deliverer` of route target `eaif`. */
  async deliver(req: DeliveryRequest): Promise<DeliveryResult> {
    const { message, parts, recipient, signal } = req;
    const id = recipient.route?.destination;
    const app = id === undefined ? undefined : this.deps.apps.get(id);
    if (!app) return { status: 'rejected', reason: { code: 'no-route', message: `no EAIF application ${id ?? '(none)'} is configured` } };
    if (!app.options.url) return { status: 'rejected', reason: { code: 'no-route', message: `EAIF application ${app.id} has no url to deliver to` } };
    const headers: Record<string, string> = {
      [EAIF_HEADER.messageId]: message.id,
      [EAIF_HEADER.from]: headerAddress(message.headers.from),
      [EAIF_HEADER.to]: headerAddress(recipient.address),
    };
    for (const name of PASSED_ON) {
      const value = message.headers.extra?.[name];
      if (value !== undefined) headers[name] = value;
    }
    const body = messagePdu(message, parts, app.options.deliverAs, app.options.mmsVersion);
    const outcome = await this.post(app, app.options.url, 'MultiMediaMessage', headers, body, signal);
    this.deps.metrics.outbound.inc({ kind: 'MultiMediaMessage', outcome: outcome.kind });
    switch (outcome.kind) {
      case 'taken':
        return outcome.messageId ? { status: 'delivered', reference: outcome.messageId } : { status: 'delivered' };
      case 'accepted':
        // 202: the application reports the result later with X-NOKIA-MMSC-Status.
        return outcome.messageId ? { status: 'forwarded', reference: outcome.messageId } : { status: 'forwarded' };
      case 'retry':
        return outcome.retryAfterMs === undefined ? { status: 'retry', reason: outcome.reason } : { status: 'retry', reason: outcome.reason, retryAfterMs: outcome.retryAfterMs };
      case 'refused':
        return { status: 'rejected', reason: { code: refusalCode(outcome.httpStatus), message: `EAIF application ${app.id}: ${outcome.reason}` } };
    }
  }

  /** The `ReportSender` of interface `eaif`: reports go to the application that submitted. */
  async sendReport(report: Report, message: StoredMessage, signal: AbortSignal): Promise<void> {
    const log = this.deps.log.child({ messageId: message.id, app: message.origin.attributes?.vaspId, report: report.kind });
    const app = this.deps.apps.reportee(report, message, log);
    if (!app) return;
    const url = app.options.reportUrl ?? app.options.url;
    if (!url) {
      log.debug('the application has no url for reports; not sent');
      return;
    }
    const version = app.options.mmsVersion;
    const [type, body] =
      report.kind === 'delivery'
        ? (['DeliveryReport', deliveryReportPdu(message.id, report.recipient, report.status, report.at, version)] as const)
        : (['ReadReply', readReportPdu(message.id, report.recipient, message.headers.from, report.status, report.at, version)] as const);
    const headers = {
      [EAIF_HEADER.messageId]: message.id,
      [EAIF_HEADER.from]: headerAddress(report.recipient),
      [EAIF_HEADER.to]: headerAddress(message.headers.from),
    };
    const outcome = await this.post(app, url, type, headers, body, signal);
    this.deps.metrics.outbound.inc({ kind: type, outcome: outcome.kind });
    if (outcome.kind === 'taken' || outcome.kind === 'accepted') return;
    if (outcome.kind === 'refused') {
      log.warn({ status: outcome.httpStatus }, `the application refused the ${type} for good: ${outcome.reason}`);
      return;
    }
    const reason = `${type} to EAIF application ${app.id}: ${outcome.reason}`;
    throw outcome.retryAfterMs === undefined ? new Error(reason) : new RetryLaterError(reason, outcome.retryAfterMs);
  }
}
