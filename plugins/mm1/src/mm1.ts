import {
  InvalidTransitionError,
  PermanentJobError,
  sameAddress,
  verdict,
  type Address,
  type DeliveryStatus,
  type HookResult,
  type MmsHeaders,
  type MmsMessage,
  type MmsPart,
  type NotificationInfo,
  type NotifyContext,
  type PluginContext,
  type ReasonCode,
  type RecipientRecord,
  type RecipientState,
  type Report,
  type RequestHeaders,
  type StoredMessage,
  type SubmitResult,
} from '@openmmsc/core';
import {
  encodePdu,
  encodeWapPush,
  type AcknowledgeInd,
  type DeliveryInd,
  type ForwardConf,
  type ForwardReq,
  type MmsPdu,
  type NotificationInd,
  type NotifyRespInd,
  type ReadOrigInd,
  type ReadRecInd,
  type ResponseStatus,
  type RetrieveConf,
  type SendConf,
  type SendReq,
  type Status,
} from '@openmmsc/codec';
import {
  ConversionError,
  bodyToParts,
  parseAddresses,
  rawAddress,
  resolveTime,
  retrieveConf,
  toEncodedAddress,
  toEncodedText,
  toEncodedString,
  toMessageClass,
  toPriority,
} from './convert.js';
import { IdentityResolver, type Identity } from './identity.js';
import type { Mm1Options } from './options.js';
import { responseStatusFor, vocabularyFor, type StatusVocabulary } from './status.js';
import { TokenSigner } from './tokens.js';
import { renderMessagePage, renderNotice, safeServedType } from './legacy-page.js';

const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'private, no-store',
};
const PART_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cache-control': 'private, max-age=300',
};

export const MM1_INTERFACE = 'mm1';

/** A reply to an HTTP request: status, content type and body. */
export interface HttpAnswer {
  status: number;
  contentType?: string;
  body?: Buffer | string;
  headers?: Record<string, string>;
}

const PDU_TYPE = 'application/vnd.wap.mms-message';

/** What a signed report token carries (enough to rebuild the PDU). */
interface SealedReport {
  k: 'd' | 'r';
  m: string;
  /** Recipient (whose delivery or reading this reports). */
  r: string;
  /** Original sender (where the report goes). */
  s: string;
  st: string;
  at: number;
}

const KERNEL_TO_MMS_STATUS: Record<DeliveryStatus, Status> = {
  retrieved: 'retrieved',
  rejected: 'rejected',
  deferred: 'deferred',
  expired: 'expired',
  forwarded: 'forwarded',
  unreachable: 'unreachable',
  indeterminate: 'indeterminate',
  deleted: 'rejected',
  unrecognised: 'unrecognised',
};

/** Everything MM1 does, independent of the HTTP framework: the routes in server.ts call in here. */
export class Mm1 {
  readonly signer: TokenSigner;
  private readonly identity: IdentityResolver;
  private readonly subscribers = new Map<string, Mm1Options['subscribers'][number]>();
  /** Subscribers learned to be without MMS (cached reads of `ctx.kv`). */
  private readonly learned = new Map<string, { legacy: boolean; until: number }>();
  /** Base URL handsets use; known once the server listens. */
  baseUrl: string | undefined;

  constructor(
    private readonly ctx: PluginContext<Mm1Options>,
    secret: string,
  ) {
    const o = ctx.options;
    this.signer = new TokenSigner(secret, o.retrieval.tokenBytes);
    this.identity = new IdentityResolver(o.identity.trustedGateways, o.identity.headers, (raw) => ctx.mmsc.parseAddress(raw));
    for (const s of o.subscribers) this.subscribers.set(ctx.mmsc.parseAddress(s.msisdn).value, s);
  }

  private get o(): Mm1Options {
    return this.ctx.options;
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  contentUrl(messageId: string, index: number): string {
    return `${this.baseUrl}/m/${this.signer.content(messageId, index)}`;
  }

  resolveIdentity(remote: string | undefined, headers: Record<string, string | string[] | undefined>): Identity {
    return this.identity.resolve(remote, headers);
  }

  // --- notify hook ------------------------------------------------------------------------

  /** Builds the m-notification-ind (or, for handsets without MMS, the SMS text with a web link). */
  async notify(n: NotifyContext): Promise<HookResult> {
    if (!this.baseUrl) return verdict.defer('network-problem', 'the MM1 server is not listening yet', 1000);
    const { message, recipient } = n;
    const now = this.now();
    if (recipient.attributes.mm1Deferred === true) {
      // The handset deferred retrieval: no more notifications; the message waits for a fetch or expiry.
      return verdict.defer('network-problem', 'retrieval deferred by the handset; waiting for a fetch or expiry', Math.max(1000, message.expiresAt - now + 1000));
    }
    if (this.o.legacy.enabled && recipient.address.type === 'plmn' && (await this.isLegacy(recipient, now))) {
      n.text = this.legacyText(message, recipient);
      n.notification.contentLocation = this.contentUrl(message.id, recipient.index);
      return;
    }
    const url = this.contentUrl(message.id, recipient.index);
    n.notification.contentLocation = url;
    n.pdu = this.notificationPush(n.notification, message, recipient.index);
    return;
  }

  notificationPush(info: NotificationInfo, message: StoredMessage, index: number): Buffer {
    const ind: NotificationInd = {
      messageType: 'm-notification-ind',
      transactionId: this.signer.content(message.id, index),
      mmsVersion: this.o.mmsVersion,
      messageClass: info.messageClass ?? 'personal',
      messageSize: info.size,
      expiry: { absolute: info.expiry },
      contentLocation: info.contentLocation ?? this.contentUrl(message.id, index),
    };
    if (info.from) ind.from = toEncodedAddress(info.from);
    if (info.subject) ind.subject = toEncodedString(info.subject);
    if (message.headers.priority) ind.priority = message.headers.priority;
    if (message.headers.deliveryReport !== undefined) ind.deliveryReport = message.headers.deliveryReport;
    return encodeWapPush({ transactionId: (Math.random() * 256) | 0, body: encodePdu(ind) });
  }

  private async isLegacy(recipient: RecipientRecord, now: number): Promise<boolean> {
    if (recipient.attributes.mm1Legacy === true) return true;
    const msisdn = recipient.address.value;
    if (this.subscribers.get(msisdn)?.mmsCapable === false) return true;
    if (await this.learnedLegacy(msisdn, now)) return true;
    const after = this.o.legacy.afterUnretrieved;
    if (after > 0 && recipient.state === 'notified') {
      const first = recipient.history.find((h) => h.state === 'notified');
      if (first && now - first.at >= after) {
        this.ctx.log.info({ recipient: msisdn }, `${msisdn} did not fetch within ${after} ms; sending a web link instead`);
        if (this.o.legacy.remember) await this.rememberLegacy(msisdn);
        return true;
      }
    }
    return false;
  }

  private async learnedLegacy(msisdn: string, now: number): Promise<boolean> {
    const cached = this.learned.get(msisdn);
    if (cached && cached.until > now) return cached.legacy;
    const stored = await this.ctx.kv.get<{ mmsCapable: boolean }>(`subscriber:${msisdn}`);
    const legacy = stored?.mmsCapable === false;
    if (this.learned.size > 10_000) this.learned.clear();
    this.learned.set(msisdn, { legacy, until: now + 30_000 });
    return legacy;
  }

  private async rememberLegacy(msisdn: string): Promise<void> {
    await this.ctx.kv.set(`subscriber:${msisdn}`, { mmsCapable: false, since: this.now() });
    this.learned.set(msisdn, { legacy: true, until: this.now() + 30_000 });
  }

  /** Marks (or unmarks) a subscriber as unable to do MMS, for later messages. */
  async setMmsCapable(msisdn: string, capable: boolean): Promise<void> {
    const value = this.ctx.mmsc.parseAddress(msisdn).value;
    if (capable) await this.ctx.kv.delete(`subscriber:${value}`);
    else await this.ctx.kv.set(`subscriber:${value}`, { mmsCapable: false, since: this.now() });
    this.learned.delete(value);
  }

  viewUrl(message: StoredMessage, index: number): string {
    const expires = Math.min(message.expiresAt, this.now() + this.o.legacy.linkTtl);
    return `${this.baseUrl}/v/${this.signer.view(message.id, index, expires)}`;
  }

  legacyText(message: StoredMessage, recipient: RecipientRecord): string {
    const h = message.headers;
    const from = h.senderVisibility === 'hide' ? 'a hidden sender' : h.from.value;
    let subject = h.subject?.text.trim() ?? '';
    if (subject.length > 40) subject = `${subject.slice(0, 39)}…`;
    const text = this.o.legacy.text
      .replaceAll('{from}', from)
      .replaceAll('{subject}', subject)
      .replaceAll('{url}', this.viewUrl(message, recipient.index));
    return text.replace(/ : /g, ' ').replace(/\s{2,}/g, ' ').trim();
  }

  // --- POST: every PDU a handset sends ------------------------------------------------------

  /** Answers one POSTed PDU. */
  async handlePost(pdu: MmsPdu, identity: Identity, remote: string | undefined): Promise<HttpAnswer> {
    switch (pdu.messageType) {
      case 'm-send-req':
        return this.pduAnswer(await this.sendReq(pdu, identity, remote));
      case 'm-forward-req':
        return this.pduAnswer(await this.forwardReq(pdu, identity, remote));
      case 'm-notifyresp-ind':
        return this.notifyResp(pdu, identity);
      case 'm-acknowledge-ind':
        return this.acknowledge(pdu, identity);
      case 'm-read-rec-ind':
        return this.readRec(pdu, identity);
      default:
        return this.pduAnswer(
          this.sendConf(pdu.transactionId ?? '', pdu.mmsVersion, 'unsupported-message', 'reject', `${pdu.messageType} is not handled here`),
          400,
        );
    }
  }

  pduAnswer(pdu: MmsPdu, status = 200): HttpAnswer {
    return { status, contentType: PDU_TYPE, body: encodePdu(pdu, { lenient: true }) };
  }

  private version(requested: string | undefined): string {
    return requested && /^1\.[0-3]$/.test(requested) ? requested : this.o.mmsVersion;
  }

  private vocabulary(requested: string | undefined): StatusVocabulary {
    return vocabularyFor(this.o.responseCodes, requested);
  }

  sendConf(transactionId: string, version: string | undefined, code: ReasonCode, kind: 'reject' | 'defer', text: string): SendConf {
    return {
      messageType: 'm-send-conf',
      transactionId,
      mmsVersion: this.version(version),
      responseStatus: responseStatusFor(code, kind, this.vocabulary(version)),
      responseText: { text },
    };
  }

  private refusal<T extends SendConf | ForwardConf>(type: T['messageType'], tid: string, version: string | undefined, code: ReasonCode, kind: 'reject' | 'defer', text: string): T {
    const conf = this.sendConf(tid, version, code, kind, text);
    return { ...conf, messageType: type } as T;
  }

  /** The authenticated sender, a check of the PDU's From, and the size class that applies. */
  private sender(from: SendReq['from'], identity: Identity): { address: Address } | { code: ReasonCode; text: string } {
    if (identity.kind !== 'trusted') return { code: 'service-denied', text: 'sender not authenticated' };
    const sender = identity.address;
    if (from && !from.insertAddress && from.address) {
      let claimed: Address | undefined;
      try {
        claimed = this.ctx.mmsc.parseAddress(rawAddress(from));
      } catch {
        claimed = undefined;
      }
      if (!claimed || !sameAddress(claimed, sender)) {
        if (this.o.identity.fromMismatch === 'reject') return { code: 'service-denied', text: 'From does not match the authenticated sender' };
        this.ctx.log.debug({ claimed: rawAddress(from), sender: sender.value }, 'From replaced by the authenticated sender');
      }
    }
    return { address: sender };
  }

  private maxSizeFor(sender: Address): number {
    const cls = this.subscribers.get(sender.value)?.sizeClass;
    const found = cls ? this.o.limits.classes[cls] : undefined;
    return found?.maxMessageSize ?? this.o.limits.maxMessageSize;
  }

  /** Size, part count and media type limits of the sender's class. */
  private checkContent(parts: readonly MmsPart[], sender: Address): string | undefined {
    if (parts.length > this.o.limits.maxParts) return `${parts.length} parts; at most ${this.o.limits.maxParts} allowed`;
    let size = 0;
    for (const p of parts) size += p.data.byteLength;
    const max = this.maxSizeFor(sender);
    if (size > max) return `message is ${size} bytes; at most ${max} allowed`;
    const allowed = this.o.limits.contentTypes;
    if (allowed.length) {
      for (const p of parts) {
        const t = p.contentType.type;
        if (t === 'application/smil') continue;
        const ok = allowed.some((a) => (a.endsWith('/*') ? t.startsWith(a.slice(0, -1)) : t === a.toLowerCase()));
        if (!ok) return `${t} is not accepted`;
      }
    }
    return undefined;
  }

  async sendReq(pdu: SendReq, identity: Identity, remote: string | undefined): Promise<SendConf> {
    const tid = pdu.transactionId ?? '';
    const v = pdu.mmsVersion;
    const refuse = (code: ReasonCode, kind: 'reject' | 'defer', text: string) => this.sendConf(tid, v, code, kind, text);
    if (v !== undefined && !/^1\./.test(v)) return refuse('unsupported-message', 'reject', `MMS version ${v} is not supported`);
    if (!pdu.transactionId) return refuse('format-corrupt', 'reject', 'X-Mms-Transaction-Id missing');
    const who = this.sender(pdu.from, identity);
    if (!('address' in who)) {
      if (identity.kind !== 'trusted') this.ctx.log.warn({ remote, why: identity.why }, 'm-send-req refused: no trusted sender identity');
      return refuse(who.code, 'reject', who.text);
    }
    let message: MmsMessage;
    try {
      message = this.toMessage(pdu, who.address, pdu.body, tid);
    } catch (error) {
      if (error instanceof ConversionError) return refuse(error.code === 'address-unresolved' ? 'address-unresolved' : 'format-corrupt', 'reject', error.message);
      throw error;
    }
    if (message.headers.to.length + message.headers.cc.length + message.headers.bcc.length === 0) {
      return refuse('address-unresolved', 'reject', 'no recipient');
    }
    const bad = this.checkContent(message.parts, who.address);
    if (bad) return refuse('content-not-accepted', 'reject', bad);
    const result = await this.ctx.mmsc.submit({
      message,
      origin: { interface: MM1_INTERFACE, peer: who.address.value, attributes: remote ? { remote } : {} },
    });
    return this.confFor<SendConf>('m-send-conf', result, tid, v);
  }

  private confFor<T extends SendConf | ForwardConf>(type: T['messageType'], result: SubmitResult, tid: string, v: string | undefined): T {
    if (result.status !== 'accepted') {
      const conf = this.refusal<T>(type, tid, v, result.reason.code, result.status === 'rejected' ? 'reject' : 'defer', result.reason.message);
      return conf;
    }
    const refused = result.recipients.filter((r) => r.status === 'rejected');
    const conf = {
      messageType: type,
      transactionId: tid,
      mmsVersion: this.version(v),
      responseStatus: 'ok' as ResponseStatus,
      messageId: result.messageId,
    } as T;
    if (refused.length) conf.responseText = { text: `not sent to ${refused.map((r) => r.address.value).join(', ')}` };
    return conf;
  }

  private toMessage(pdu: SendReq, from: Address, body: SendReq['body'], tid: string): MmsMessage {
    const parse = (raw: string) => this.ctx.mmsc.parseAddress(raw);
    const now = this.now();
    const { contentType, parts } = bodyToParts(body);
    const headers: MmsHeaders = {
      transactionId: tid,
      from,
      to: parseAddresses(pdu.to, parse),
      cc: parseAddresses(pdu.cc, parse),
      bcc: parseAddresses(pdu.bcc, parse),
      date: new Date(now),
      contentType,
      deliveryReport: pdu.deliveryReport === true,
      readReport: pdu.readReport === true,
    };
    if (pdu.subject) headers.subject = toEncodedText(pdu.subject);
    const expiry = resolveTime(pdu.expiry, now);
    if (expiry) headers.expiry = expiry;
    const deliveryTime = resolveTime(pdu.deliveryTime, now);
    if (deliveryTime && deliveryTime.getTime() > now) headers.deliveryTime = deliveryTime;
    const cls = toMessageClass(pdu.messageClass);
    if (cls) headers.messageClass = cls;
    const prio = toPriority(pdu.priority);
    if (prio) headers.priority = prio;
    if (pdu.senderVisibility === 'hide' || pdu.senderVisibility === 'show') headers.senderVisibility = pdu.senderVisibility;
    return { headers, parts };
  }

  // --- m-forward-req ------------------------------------------------------------------------

  async forwardReq(pdu: ForwardReq, identity: Identity, remote: string | undefined): Promise<ForwardConf> {
    const tid = pdu.transactionId ?? '';
    const v = pdu.mmsVersion;
    const refuse = (code: ReasonCode, kind: 'reject' | 'defer', text: string) => this.refusal<ForwardConf>('m-forward-conf', tid, v, code, kind, text);
    const who = this.sender(pdu.from, identity);
    if (!('address' in who)) return refuse(who.code, 'reject', who.text);
    const ref = this.tokenFromUrl(pdu.contentLocation);
    if (!ref) return refuse('message-not-found', 'reject', 'unknown X-Mms-Content-Location');
    const original = await this.ctx.mmsc.getMessage(ref.messageId);
    const recipients = original ? await this.ctx.mmsc.getRecipients(ref.messageId) : [];
    const recipient = recipients.find((r) => r.index === ref.index);
    if (!original || !recipient || original.expiresAt <= this.now()) return refuse('message-not-found', 'reject', 'message not found or expired');
    if (!sameAddress(recipient.address, who.address)) return refuse('service-denied', 'reject', 'only a recipient may forward this message');
    const parts = await this.ctx.mmsc.getParts(ref.messageId);
    if (!parts) return refuse('message-not-found', 'reject', 'message content is gone');
    const parse = (raw: string) => this.ctx.mmsc.parseAddress(raw);
    const now = this.now();
    let headers: MmsHeaders;
    try {
      headers = {
        transactionId: tid,
        from: who.address,
        to: parseAddresses(pdu.to, parse),
        cc: parseAddresses(pdu.cc, parse),
        bcc: parseAddresses(pdu.bcc, parse),
        date: new Date(now),
        contentType: original.headers.contentType,
        deliveryReport: pdu.deliveryReport === true,
        readReport: pdu.readReport === true,
        extra: { 'X-Mms-Forwarded-From': original.id },
      };
    } catch (error) {
      if (error instanceof ConversionError) return refuse('address-unresolved', 'reject', error.message);
      throw error;
    }
    if (headers.to.length + headers.cc.length + headers.bcc.length === 0) return refuse('address-unresolved', 'reject', 'no recipient');
    if (original.headers.subject) headers.subject = original.headers.subject;
    if (original.headers.messageClass) headers.messageClass = original.headers.messageClass;
    if (original.headers.senderVisibility !== 'hide') headers.extra!['X-Mms-Previously-Sent-By'] = original.headers.from.value;
    const expiry = resolveTime(pdu.expiry, now);
    if (expiry) headers.expiry = expiry;
    const bad = this.checkContent(parts, who.address);
    if (bad) return refuse('content-not-accepted', 'reject', bad);
    const result = await this.ctx.mmsc.submit({
      message: { headers, parts },
      origin: { interface: MM1_INTERFACE, peer: who.address.value, attributes: remote ? { remote, forwardOf: original.id } : { forwardOf: original.id } },
    });
    if (result.status === 'accepted') {
      await this.move(ref.messageId, ref.index, 'forwarded', {
        reason: `forwarded as ${result.messageId}`,
        report: pdu.reportAllowed === false ? false : 'forwarded',
      });
    }
    return this.confFor<ForwardConf>('m-forward-conf', result, tid, v);
  }

  /** `http://…/m/<token>` (or a bare token) back to its message and recipient. */
  tokenFromUrl(url: string | undefined): { messageId: string; index: number } | undefined {
    if (!url) return undefined;
    const m = /(?:^|\/m\/)([^/?#]+)(?:[?#].*)?$/.exec(url);
    return m ? this.signer.openContent(m[1]!) : undefined;
  }

  // --- m-notifyresp-ind, m-acknowledge-ind, m-read-rec-ind ----------------------------------

  /** The recipient a transaction id names, checked against who is asking. */
  private async byTransaction(tid: string | undefined, identity: Identity): Promise<{ ref: { messageId: string; index: number }; recipient: RecipientRecord; message: StoredMessage } | HttpAnswer> {
    const ref = tid ? this.signer.openContent(tid) : undefined;
    if (!ref) return { status: 400, contentType: 'text/plain', body: 'unknown transaction id\n' };
    if (identity.kind !== 'trusted') return { status: 403, contentType: 'text/plain', body: 'not authenticated\n' };
    const message = await this.ctx.mmsc.getMessage(ref.messageId);
    const recipient = message ? (await this.ctx.mmsc.getRecipients(ref.messageId)).find((r) => r.index === ref.index) : undefined;
    if (!message || !recipient) return { status: 404, contentType: 'text/plain', body: 'message not found\n' };
    if (!sameAddress(recipient.address, identity.address)) return { status: 403, contentType: 'text/plain', body: 'not a recipient of this message\n' };
    return { ref, recipient, message };
  }

  async notifyResp(pdu: NotifyRespInd, identity: Identity): Promise<HttpAnswer> {
    const found = await this.byTransaction(pdu.transactionId, identity);
    if ('status' in found) return found;
    const { ref, message, recipient } = found;
    const allowReport = pdu.reportAllowed !== false;
    switch (pdu.status) {
      case 'retrieved':
        await this.move(ref.messageId, ref.index, 'delivered', { reason: 'retrieved (m-notifyresp-ind)', report: allowReport ? 'retrieved' : false });
        break;
      case 'rejected':
        await this.move(ref.messageId, ref.index, 'rejected', { reason: 'rejected by the recipient', report: allowReport ? 'rejected' : false });
        break;
      case 'deferred':
        await this.ctx.mmsc.setRecipientAttributes(ref.messageId, ref.index, { mm1Deferred: true });
        if (message.headers.deliveryReport && allowReport && recipient.attributes.mm1Deferred !== true) {
          await this.ctx.mmsc.sendReport(message.id, { kind: 'delivery', messageId: message.id, recipient: recipient.address, status: 'deferred', at: this.now() });
        }
        break;
      case 'unrecognised':
        await this.unrecognised(message, recipient, allowReport);
        break;
      default:
        return { status: 400, contentType: 'text/plain', body: 'unknown X-Mms-Status\n' };
    }
    return { status: 204 };
  }

  private async unrecognised(message: StoredMessage, recipient: RecipientRecord, allowReport: boolean): Promise<void> {
    if (this.o.legacy.enabled && this.o.legacy.onUnrecognised && recipient.address.type === 'plmn') {
      await this.ctx.mmsc.setRecipientAttributes(message.id, recipient.index, { mm1Legacy: true });
      if (this.o.legacy.remember) await this.rememberLegacy(recipient.address.value);
      await this.pushLegacyLink(message, recipient);
      return;
    }
    if (message.headers.deliveryReport && allowReport) {
      await this.ctx.mmsc.sendReport(message.id, { kind: 'delivery', messageId: message.id, recipient: recipient.address, status: 'unrecognised', at: this.now() });
    }
  }

  /** Sends the web link now, outside the notify job (after an Unrecognised answer). */
  private async pushLegacyLink(message: StoredMessage, recipient: RecipientRecord): Promise<void> {
    const bearer = this.ctx.service('PushBearer');
    if (!bearer) return;
    const info: NotificationInfo = {
      messageId: message.id,
      recipient: recipient.address,
      size: message.size,
      expiry: new Date(message.expiresAt),
      kind: 'message',
      contentLocation: this.contentUrl(message.id, recipient.index),
    };
    const result = await bearer.push({ to: recipient.address, notification: info, text: this.legacyText(message, recipient) }, AbortSignal.timeout(30_000));
    if (result.status !== 'sent') this.ctx.log.warn({ messageId: message.id, recipient: recipient.address.value, result }, 'web link SMS not sent');
  }

  async acknowledge(pdu: AcknowledgeInd, identity: Identity): Promise<HttpAnswer> {
    const found = await this.byTransaction(pdu.transactionId, identity);
    if ('status' in found) return found;
    await this.move(found.ref.messageId, found.ref.index, 'delivered', {
      reason: 'acknowledged (m-acknowledge-ind)',
      report: pdu.reportAllowed === false ? false : 'retrieved',
    });
    return { status: 204 };
  }

  async readRec(pdu: ReadRecInd, identity: Identity): Promise<HttpAnswer> {
    if (identity.kind !== 'trusted') return { status: 403, contentType: 'text/plain', body: 'not authenticated\n' };
    if (!pdu.messageId) return { status: 400, contentType: 'text/plain', body: 'Message-ID missing\n' };
    const message = await this.ctx.mmsc.getMessage(pdu.messageId);
    if (!message) return { status: 404, contentType: 'text/plain', body: 'message not found\n' };
    const recipient = (await this.ctx.mmsc.getRecipients(message.id)).find((r) => sameAddress(r.address, identity.address));
    if (!recipient) return { status: 403, contentType: 'text/plain', body: 'not a recipient of this message\n' };
    if (!message.headers.readReport && this.o.reports.readReports === 'requested') {
      this.ctx.log.debug({ messageId: message.id }, 'read report dropped: the sender did not ask for one');
      return { status: 204 };
    }
    const status = pdu.readStatus === 'deleted-without-being-read' ? 'deleted-without-reading' : 'read';
    await this.ctx.mmsc.sendReport(message.id, { kind: 'read', messageId: message.id, recipient: recipient.address, status, at: this.now() });
    return { status: 204 };
  }

  /** Moves a recipient on, tolerating a move that already happened (handsets repeat themselves). */
  async move(
    messageId: string,
    index: number,
    to: RecipientState,
    opts: { reason: string; report?: DeliveryStatus | false },
  ): Promise<RecipientRecord | undefined> {
    const by = this.ctx.name;
    try {
      return await this.ctx.mmsc.transition(messageId, index, to, { by, ...opts });
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
      // A handset can fetch before the notify job recorded the notification: pass through `notified`.
      const current = (await this.ctx.mmsc.getRecipients(messageId)).find((r) => r.index === index);
      if (current?.state === 'charged' && to !== 'notified') {
        await this.ctx.mmsc.transition(messageId, index, 'notified', { by, reason: 'fetched before the notification was recorded' }).catch(() => undefined);
        try {
          return await this.ctx.mmsc.transition(messageId, index, to, { by, ...opts });
        } catch (again) {
          if (!(again instanceof InvalidTransitionError)) throw again;
        }
      }
      return undefined;
    }
  }

  // --- GET /m/<token> ------------------------------------------------------------------------

  /** m-retrieve-conf for a content token, or a PDU saying why not. `head`: no state change. */
  async retrieve(token: string, head: boolean, range: string | undefined, headers: RequestHeaders = {}): Promise<HttpAnswer> {
    const ref = this.signer.openContent(token);
    const v = this.o.mmsVersion;
    if (!ref) return this.retrieveError(404, 'error-permanent-message-not-found', 'no such message');
    const message = await this.ctx.mmsc.getMessage(ref.messageId);
    const recipient = message ? (await this.ctx.mmsc.getRecipients(ref.messageId)).find((r) => r.index === ref.index) : undefined;
    if (!message || !recipient) return this.retrieveError(404, 'error-permanent-message-not-found', 'no such message');
    if (recipient.state === 'expired' || message.expiresAt <= this.now()) {
      return this.retrieveError(404, 'error-permanent-message-not-found', 'the message has expired');
    }
    if (recipient.state === 'rejected') return this.retrieveError(404, 'error-permanent-message-not-found', 'the message is no longer available');
    const variant = typeof recipient.attributes.variant === 'string' ? recipient.attributes.variant : undefined;
    const parts = (await this.adaptForHandset(message.id, headers)) ?? (await this.ctx.mmsc.getParts(message.id, variant));
    if (!parts) return this.retrieveError(404, 'error-permanent-message-not-found', 'the message content is gone');
    const pdu: RetrieveConf = retrieveConf(message, parts, v);
    if (this.o.retrieval.acknowledge) pdu.transactionId = token;
    const full = encodePdu(pdu, { lenient: true });
    const answer = sliceRange(full, range);
    answer.contentType = PDU_TYPE;
    const complete = answer.status === 200 || (answer.status === 206 && answer.headers?.['content-range']?.endsWith(`-${full.length - 1}/${full.length}`));
    if (!head && complete && (recipient.state === 'charged' || recipient.state === 'notified')) {
      await this.move(message.id, recipient.index, 'retrieved', { reason: 'fetched' });
    }
    return answer;
  }

  /**
   * The handset says what it shows only when it fetches (UAProf in x-wap-profile/Profile,
   * Accept): a transcoder that can adapt at retrieval time gets the chance; the stored variant
   * (or the original) is the fallback.
   */
  private async adaptForHandset(messageId: string, headers: RequestHeaders): Promise<MmsPart[] | undefined> {
    const transcoder = this.ctx.service('Transcoder');
    if (!transcoder?.capabilitiesFromRequest || !transcoder.adaptForRetrieval) return undefined;
    if (!headers['x-wap-profile'] && !headers.profile && !headers.accept) return undefined;
    try {
      const capabilities = await transcoder.capabilitiesFromRequest(headers);
      const adapted = await transcoder.adaptForRetrieval({ messageId, capabilities });
      return adapted?.parts;
    } catch (error) {
      this.ctx.log.warn({ err: error, messageId }, 'adaptation at retrieval failed; sending the stored content');
      return undefined;
    }
  }

  private retrieveError(status: number, retrieveStatus: RetrieveConf['retrieveStatus'] & string, text: string): HttpAnswer {
    const pdu: RetrieveConf = {
      messageType: 'm-retrieve-conf',
      mmsVersion: this.o.mmsVersion,
      date: new Date(this.now()),
      retrieveStatus,
      retrieveText: { text },
    };
    return { status, contentType: PDU_TYPE, body: encodePdu(pdu, { lenient: true }) };
  }

  // --- GET /v/<token>: the web page for handsets without MMS ---------------------------------

  private async openView(token: string): Promise<{ message: StoredMessage; recipient: RecipientRecord; expiresAt: number } | HttpAnswer> {
    const ref = this.signer.openView(token, this.now());
    const gone = (status: number, title: string, text: string): HttpAnswer => ({ status, contentType: 'text/html; charset=utf-8', body: renderNotice(status, title, text), headers: PAGE_HEADERS });
    if (!ref) return gone(404, 'Message not found', 'This link is not valid.');
    if (ref.expired) return gone(410, 'Link expired', 'This link has expired.');
    const message = await this.ctx.mmsc.getMessage(ref.messageId);
    const recipient = message ? (await this.ctx.mmsc.getRecipients(ref.messageId)).find((r) => r.index === ref.index) : undefined;
    if (!message || !recipient || recipient.state === 'rejected') return gone(404, 'Message not found', 'This message is no longer available.');
    if (recipient.state === 'expired' || message.expiresAt <= this.now()) return gone(410, 'Message expired', 'This message has expired.');
    return { message, recipient, expiresAt: Math.min(ref.expiresAt, message.expiresAt) };
  }

  async viewPage(token: string, head: boolean): Promise<HttpAnswer> {
    const found = await this.openView(token);
    if ('status' in found) return found;
    const { message, recipient, expiresAt } = found;
    const parts = await this.ctx.mmsc.getParts(message.id, typeof recipient.attributes.variant === 'string' ? recipient.attributes.variant : undefined);
    if (!parts) return { status: 404, contentType: 'text/html; charset=utf-8', body: renderNotice(404, 'Message not found', 'This message is no longer available.'), headers: PAGE_HEADERS };
    const html = renderMessagePage({ message, parts, partBase: `/v/${token}/part`, expiresAt });
    if (!head && recipient.state !== 'delivered') {
      await this.move(message.id, recipient.index, 'delivered', { reason: 'viewed on the web page', report: 'retrieved' });
    }
    return { status: 200, contentType: 'text/html; charset=utf-8', body: html, headers: PAGE_HEADERS };
  }

  async viewPart(token: string, n: number, range: string | undefined): Promise<HttpAnswer> {
    const found = await this.openView(token);
    if ('status' in found) return found;
    const { message, recipient } = found;
    const parts = await this.ctx.mmsc.getParts(message.id, typeof recipient.attributes.variant === 'string' ? recipient.attributes.variant : undefined);
    const part = parts?.[n];
    if (!part) return { status: 404, contentType: 'text/plain', body: 'no such part\n' };
    const data = Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength);
    const answer = sliceRange(data, range);
    answer.contentType = safeServedType(part.contentType.type);
    answer.headers = { ...answer.headers, ...PART_HEADERS };
    if (answer.contentType === 'application/octet-stream') answer.headers['content-disposition'] = 'attachment';
    return answer;
  }

  // --- reports to the sender ----------------------------------------------------------------

  /** ReportSender for messages that came in over MM1: the report PDU is pushed to the sender. */
  async sendReport(report: Report, message: StoredMessage, signal: AbortSignal): Promise<void> {
    const sender = message.headers.from;
    if (sender.type !== 'plmn') {
      this.ctx.log.debug({ messageId: message.id }, 'report not sent: the sender has no phone number');
      return;
    }
    if (!this.baseUrl) throw new Error('the MM1 server is not listening yet');
    const sealed: SealedReport = {
      k: report.kind === 'delivery' ? 'd' : 'r',
      m: report.messageId,
      r: report.recipient.value,
      s: sender.value,
      st: report.status,
      at: report.at,
    };
    const pdu = this.reportPdu(sealed);
    const bearer = this.ctx.service('PushBearer');
    if (!bearer) throw new PermanentJobError('no push bearer is configured');
    const token = this.signer.seal(sealed);
    const info: NotificationInfo = {
      messageId: message.id,
      recipient: sender,
      size: pdu.byteLength,
      expiry: new Date(report.at + this.o.reports.retrievableFor),
      kind: report.kind === 'delivery' ? 'delivery-report' : 'read-report',
      contentLocation: `${this.baseUrl}/r/${token}`,
    };
    const push = encodeWapPush({ transactionId: (Math.random() * 256) | 0, body: pdu });
    const result = await bearer.push({ to: sender, notification: info, pdu: push }, signal);
    if (result.status === 'retry') throw new Error(`${bearer.name}: ${result.reason}`);
    if (result.status === 'failed') throw new PermanentJobError(`${bearer.name}: ${result.reason}`);
    this.ctx.log.debug({ messageId: message.id, to: sender.value, report: report.kind, status: report.status }, 'report pushed');
  }

  private reportPdu(s: SealedReport): Buffer {
    const parse = (raw: string) => this.ctx.mmsc.parseAddress(raw);
    if (s.k === 'd') {
      const ind: DeliveryInd = {
        messageType: 'm-delivery-ind',
        mmsVersion: this.o.mmsVersion,
        messageId: s.m,
        to: [toEncodedAddress(parse(s.r))],
        date: new Date(s.at),
        status: KERNEL_TO_MMS_STATUS[s.st as DeliveryStatus] ?? 'indeterminate',
      };
      return encodePdu(ind);
    }
    const ind: ReadOrigInd = {
      messageType: 'm-read-orig-ind',
      mmsVersion: this.o.mmsVersion,
      messageId: s.m,
      to: [toEncodedAddress(parse(s.s))],
      from: toEncodedAddress(parse(s.r)),
      date: new Date(s.at),
      readStatus: s.st === 'deleted-without-reading' ? 'deleted-without-being-read' : 'read',
    };
    return encodePdu(ind);
  }

  /** GET /r/<token>: a pushed report, fetched again. */
  report(token: string): HttpAnswer {
    const sealed = this.signer.unseal<SealedReport>(token);
    if (!sealed || typeof sealed.at !== 'number' || sealed.at + this.o.reports.retrievableFor < this.now()) {
      return { status: 404, contentType: 'text/plain', body: 'no such report\n' };
    }
    try {
      return { status: 200, contentType: PDU_TYPE, body: this.reportPdu(sealed) };
    } catch {
      return { status: 404, contentType: 'text/plain', body: 'no such report\n' };
    }
  }
}

/** A single `bytes=` range of a buffer (RFC 9110), or the whole of it. */
export function sliceRange(full: Buffer, range: string | undefined): HttpAnswer {
  const base: Record<string, string> = { 'accept-ranges': 'bytes' };
  if (!range) return { status: 200, body: full, headers: base };
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { status: 200, body: full, headers: base };
  const size = full.length;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return { status: 416, headers: { ...base, 'content-range': `bytes */${size}` } };
  return { status: 206, body: full.subarray(start, end + 1), headers: { ...base, 'content-range': `bytes ${start}-${end}/${size}` } };
}
