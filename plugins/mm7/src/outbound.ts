import { createHmac } from 'node:crypto';
import { RetryLaterError, type LinkTracker, type DeliveryRequest, type DeliveryResult, type MmsPart, type Report, type StoredMessage } from '@openmmsc/core';
import type { Logger } from 'pino';
import { request } from 'undici';
import type { Accounts, VaspAccount } from './accounts.js';
import { newTransactionId, postMm7, type PostResult, type Dialect, type DeliveryReportReq, type DeliverReq, type ReadReplyReq, RELEASES, isSuccess, isTransient, statusText, encodeMm7, xsDateTime } from '@openmmsc/mm7';
import { reasonForStatus } from './reasons.js';
import { fromPriority, toMm7Address } from './mapping.js';

export interface OutboundDeps {
  name: string;
  accounts: Accounts;
  relayServerId: string;
  log: Logger;
  now: () => number;
  /** Each VASP's endpoint (DeliverReq, reports, webhook) as a link, by VASP id. */
  links?: LinkTracker;
}

function dialectOf(account: VaspAccount): Dialect {
  const d = account.options.dialect;
  return { envelopePrefix: d.envelopePrefix, mm7Prefix: d.mm7Prefix, xmlDeclaration: d.xmlDeclaration, mustUnderstand: d.mustUnderstand };
}

function describe(result: PostResult): string {
  if (result.status) return `${result.status.code} ${result.status.text || statusText(result.status.code)}`;
  return result.error ?? `HTTP ${result.httpStatus}`;
}

/**
 * No answer at all: down; "try later" (a transient status, HTTP 503, an answer that is not MM7):
 * degraded; any other MM7 status (a fault comes with HTTP 500) is a VASP at work: up.
 */
function vaspLinkState(result: PostResult): 'up' | 'degraded' | 'down' {
  if (result.httpStatus === 0) return 'down';
  if (!result.status || isTransient(result.status.code) || result.httpStatus === 503) return 'degraded';
  return 'up';
}

const DELIVERY_STATUS: Record<string, string> = {
  retrieved: 'Retrieved',
  rejected: 'Rejected',
  deferred: 'Deferred',
  expired: 'Expired',
  forwarded: 'Forwarded',
  unreachable: 'Rejected',
  indeterminate: 'Indeterminate',
  deleted: 'Rejected',
  unrecognised: 'Unrecognised',
};

/** Signs a webhook body: `sha256=<hex HMAC>`. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** MMSC → VASP: DeliverReq for MO messages, DeliveryReportReq / ReadReplyReq, or JSON webhooks. */
export class Outbound {
  constructor(private readonly deps: OutboundDeps) {}

  private async post(account: VaspAccount, body: DeliverReq | DeliveryReportReq | ReadReplyReq, parts: readonly MmsPart[] | undefined, signal: AbortSignal): Promise<PostResult> {
    const d = account.options.dialect;
    const release = RELEASES[d.release];
    const payload = encodeMm7(
      { release, transactionId: newTransactionId(), body, dialect: dialectOf(account), ...(d.version ? { version: d.version } : {}) },
      parts && parts.length ? { parts, transferEncoding: d.transferEncoding } : undefined,
    );
    const result = await postMm7(account.options.url!, payload, {
      soapAction: d.soapAction,
      timeoutMs: account.options.timeout,
      signal,
      ...(account.options.outboundAuth ? { auth: account.options.outboundAuth } : {}),
    });
    if (!signal.aborted) this.deps.links?.saw(account.id, vaspLinkState(result), result.status && isSuccess(result.status.code) ? undefined : describe(result));
    return result;
  }

  private async webhook(account: VaspAccount, event: Record<string, unknown>, signal: AbortSignal): Promise<{ ok: true } | { ok: false; permanent: boolean; reason: string; retryAfterMs?: number }> {
    const hook = account.options.webhook!;
    const body = JSON.stringify(event);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'OpenMMSC-MM7' };
    if (hook.secret) headers['x-openmmsc-signature'] = webhookSignature(hook.secret, body);
    try {
      const res = await request(hook.url, { method: 'POST', headers, body, signal, headersTimeout: account.options.timeout, bodyTimeout: account.options.timeout });
      await res.body.dump();
      this.deps.links?.saw(account.id, res.statusCode >= 500 || res.statusCode === 429 ? 'degraded' : 'up', res.statusCode < 300 ? undefined : `webhook answered HTTP ${res.statusCode}`);
      if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true };
      const permanent = res.statusCode >= 400 && res.statusCode < 500 && res.statusCode !== 408 && res.statusCode !== 429;
      const ra = Number.parseInt(String(res.headers['retry-after'] ?? ''), 10);
      return Number.isFinite(ra)
        ? { ok: false, permanent, reason: `webhook answered HTTP ${res.statusCode}`, retryAfterMs: ra * 1000 }
        : { ok: false, permanent, reason: `webhook answered HTTP ${res.statusCode}` };
    } catch (error) {
      if (!signal.aborted) this.deps.links?.saw(account.id, 'down', `webhook failed: ${(error as Error).message}`);
      return { ok: false, permanent: false, reason: `webhook failed: ${(error as Error).message}` };
    }
  }

  /** The `Deliverer` for route target `mm7`. */
  async deliver(req: DeliveryRequest): Promise<DeliveryResult> {
    const { message, parts, recipient, signal } = req;
    const vaspId = recipient.route?.destination;
    const account = vaspId ? this.deps.accounts.get(vaspId) : undefined;
    if (!account) return { status: 'rejected', reason: { code: 'no-route', message: `no VASP ${vaspId ?? '(none)'} is configured` } };
    const mode = account.options.moDelivery ?? (account.options.url ? 'mm7' : 'webhook');
    if (mode === 'webhook') {
      if (!account.options.webhook) return { status: 'rejected', reason: { code: 'no-route', message: `VASP ${account.id} has neither an MM7 url nor a webhook` } };
      const event = {
        event: 'mo-message',
        vaspId: account.id,
        messageId: message.id,
        from: message.headers.from.value,
        to: recipient.address.value,
        subject: message.headers.subject?.text,
        receivedAt: new Date(message.receivedAt).toISOString(),
        parts: parts.map((p) => ({
          contentType: p.contentType.type,
          ...(p.contentId ? { contentId: p.contentId } : {}),
          ...(p.contentLocation ? { filename: p.contentLocation } : {}),
          data: Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString('base64'),
        })),
      };
      const r = await this.webhook(account, event, signal);
      if (r.ok) return { status: 'delivered' };
      if (r.permanent) return { status: 'rejected', reason: { code: 'service-denied', message: r.reason } };
      return r.retryAfterMs === undefined ? { status: 'retry', reason: r.reason } : { status: 'retry', reason: r.reason, retryAfterMs: r.retryAfterMs };
    }
    if (!account.options.url) return { status: 'rejected', reason: { code: 'no-route', message: `VASP ${account.id} has no MM7 url` } };
    const body: DeliverReq = {
      type: 'DeliverReq',
      relayServerId: this.deps.relayServerId,
      vaspId: account.id,
      linkedId: message.id,
      sender: toMm7Address(message.headers.from),
      recipients: { to: [toMm7Address(recipient.address)], cc: [], bcc: [] },
      timeStamp: xsDateTime(message.receivedAt),
    };
    const priority = fromPriority(message.headers.priority);
    if (priority) body.priority = priority;
    if (message.headers.subject) body.subject = message.headers.subject.text;
    const result = await this.post(account, body, parts, signal);
    if (result.status && isSuccess(result.status.code)) return { status: 'delivered', reference: `${account.id}:${result.status.code}` };
    if (result.status && !isTransient(result.status.code) && result.httpStatus !== 503) {
      return { status: 'rejected', reason: { code: reasonForStatus(result.status.code), message: `VASP ${account.id} refused: ${describe(result)}` } };
    }
    const reason = `VASP ${account.id}: ${describe(result)}`;
    return result.retryAfterMs === undefined ? { status: 'retry', reason } : { status: 'retry', reason, retryAfterMs: result.retryAfterMs };
  }

  /** The `ReportSender` for interface `mm7`: reports go back to the VASP that submitted. */
  async sendReport(report: Report, message: StoredMessage, signal: AbortSignal): Promise<void> {
    const log = this.deps.log.child({ messageId: message.id, vasp: message.origin.attributes?.vaspId, report: report.kind });
    const account = this.deps.accounts.reportee(report, message, log);
    if (!account) return;
    const channel = message.origin.attributes?.channel;
    if (channel === 'api' || !account.options.url) {
      if (!account.options.webhook) {
        log.debug('no MM7 url or webhook for reports; dropped');
        return;
      }
      const event = {
        event: report.kind === 'delivery' ? 'delivery-report' : 'read-report',
        vaspId: account.id,
        messageId: report.messageId,
        recipient: report.recipient.value,
        status: report.status,
        at: new Date(report.at).toISOString(),
        ...(report.text ? { text: report.text } : {}),
      };
      const r = await this.webhook(account, event, signal);
      if (r.ok) return;
      if (r.permanent) {
        log.warn({ reason: r.reason }, 'webhook refused the report for good');
        return;
      }
      throw r.retryAfterMs === undefined ? new Error(r.reason) : new RetryLaterError(r.reason, r.retryAfterMs);
    }
    const sender = toMm7Address(message.headers.from);
    const recipient = toMm7Address(report.recipient);
    const at = xsDateTime(report.at);
    const body: DeliveryReportReq | ReadReplyReq =
      report.kind === 'delivery'
        ? { type: 'DeliveryReportReq', relayServerId: this.deps.relayServerId, messageId: message.id, recipient, sender, date: at, mmStatus: DELIVERY_STATUS[report.status] ?? 'Indeterminate', ...(report.text ? { statusText: report.text } : {}) }
        : { type: 'ReadReplyReq', relayServerId: this.deps.relayServerId, messageId: message.id, recipient, sender, timeStamp: at, mmStatus: report.status === 'read' ? 'Read' : 'Deleted', ...(report.text ? { statusText: report.text } : {}) };
    const result = await this.post(account, body, undefined, signal);
    if (result.status && isSuccess(result.status.code)) return;
    if (result.status && !isTransient(result.status.code) && result.httpStatus !== 503) {
      log.warn({ status: result.status.code }, `VASP refused the ${body.type} for good: ${describe(result)}`);
      return;
    }
    const reason = `${body.type} to VASP ${account.id}: ${describe(result)}`;
    throw result.retryAfterMs === undefined ? new Error(reason) : new RetryLaterError(reason, result.retryAfterMs);
  }
}
