import {
  InvalidTransitionError,
  PermanentJobError,
  addressKey,
  type Address,
  type DeliveryRequest,
  type DeliveryResult,
  type KeyValueStore,
  type MmsHeaders,
  type MmsMessage,
  type MmscRuntime,
  type RecipientRecord,
  type Report,
  type StoredMessage,
} from '@openmmsc/core';
import { MimeError, decodeWords, encodeWords, header, mmsMultipartType, parseMail, writeMail, type HeaderList, type ParsedMail } from './mime.js';
import type { Mm4Options, PeerOptions } from './options.js';
import {
  MM_STATUS_FOR,
  READ_STATUS_FOR,
  REQUEST_STATUS_FOR,
  addressHeader,
  answerAddress,
  deliveryStatusFor,
  mailDate,
  messageClassIn,
  messageClassOut,
  mm4Address,
  parseMm4Address,
  priorityIn,
  priorityOut,
  readEnvelope,
  readStatusFor,
  reasonForStatus,
  yesNo,
  type Mm4Envelope,
  type Mm4Type,
  type RequestStatus,
} from './protocol.js';
import { SmtpReply, type InboundMail, type ServerLog } from './server.js';
import type { PeerTransports } from './transport.js';

export const MM4_INTERFACE = 'mm4';

export interface Mm4Context {
  name: string;
  mmsc: MmscRuntime;
  kv: KeyValueStore;
  log: ServerLog & { error(obj: object, msg?: string): void };
  now: () => number;
}

/** What we remember about a recipient we forwarded (kv `fwd:<messageId>:<index>`). */
interface ForwardRecord {
  peer: string;
  transactionId: string;
}

/** Counters for metrics and tests. */
export interface Mm4Stats {
  forwarded: number;
  received: number;
  reportsSent: number;
  reportsReceived: number;
  responsesSent: number;
  refused: number;
}

const KEEP_MS = 30 * 24 * 3600 * 1000;

/** MM4: forward to peers, accept from peers, and carry delivery and read reports both ways. */
export class Mm4 {
  readonly originatorSystem: string;
  readonly stats: Mm4Stats = { forwarded: 0, received: 0, reportsSent: 0, reportsReceived: 0, responsesSent: 0, refused: 0 };
  private readonly pending = new Set<Promise<void>>();
  private stopping = false;
  private txCounter = 0;

  constructor(
    private readonly ctx: Mm4Context,
    private readonly options: Mm4Options,
    private readonly transports: PeerTransports,
  ) {
    this.originatorSystem = options.originatorSystem ?? `system-user@${options.domain}`;
  }

  private newTransactionId(): string {
    this.txCounter = (this.txCounter + 1) % 1_000_000;
    return `${this.ctx.now().toString(36)}-${this.txCounter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  }

  private commonHeaders(type: Mm4Type, transactionId: string, messageId: string | undefined): HeaderList {
    const h: HeaderList = [
      ['X-Mms-3GPP-MMS-Version', this.options.mmsVersion],
      ['X-Mms-Message-Type', type],
      ['X-Mms-Transaction-ID', transactionId],
    ];
    if (messageId) h.push(['X-Mms-Message-ID', messageId]);
    return h;
  }

  private mailMeta(): HeaderList {
    return [
      ['Sender', this.originatorSystem],
      ['Message-ID', `<${this.newTransactionId()}@${this.options.domain}>`],
      ['Date', mailDate(new Date(this.ctx.now()))],
    ];
  }

  // --- outbound forward ----------------------------------------------------------------

  /** Deliverer for route target `mm4`: one MM4_forward.REQ per recipient to the peer MMSC. */
  async deliver(request: DeliveryRequest): Promise<DeliveryResult> {
    const { message, recipient, parts } = request;
    const domain = recipient.route?.destination;
    if (!domain) return { status: 'rejected', reason: { code: 'no-route', message: 'MM4 route without a peer domain' } };
    const peer = this.transports.peerFor(domain) ?? this.transports.defaultPeer(domain);
    if (!peer) return { status: 'rejected', reason: { code: 'no-route', message: `${domain} is not a configured MM4 peer` } };

    const transactionId = `${message.id}.${recipient.index}`;
    const all = await this.ctx.mmsc.getRecipients(message.id);
    const h = message.headers;
    const display = (r: RecipientRecord) => this.displayAddress(r);
    const to = all.filter((r) => r.kind === 'to').map(display);
    const cc = all.filter((r) => r.kind === 'cc').map(display);
    const headers: HeaderList = [
      ...this.commonHeaders('MM4_forward.REQ', transactionId, message.id),
      ['From', this.addressOut(h.from, this.options.domain)],
      ['To', to.length ? to.join(', ') : 'undisclosed-recipients:;'],
    ];
    if (cc.length) headers.push(['Cc', cc.join(', ')]);
    if (h.subject?.text) headers.push(['Subject', encodeSubject(h.subject.text)]);
    headers.push(['Date', mailDate(h.date ?? new Date(message.receivedAt))]);
    headers.push(['X-Mms-Expiry', mailDate(new Date(message.expiresAt))]);
    if (h.messageClass) headers.push(['X-Mms-Message-Class', messageClassOut(h.messageClass)]);
    if (h.priority) headers.push(['X-Mms-Priority', priorityOut(h.priority)]);
    headers.push(['X-Mms-Delivery-Report', h.deliveryReport ? 'Yes' : 'No']);
    headers.push(['X-Mms-Read-Reply', h.readReport ? 'Yes' : 'No']);
    if (h.senderVisibility === 'hide') headers.push(['X-Mms-Sender-Visibility', 'Hide']);
    headers.push(['X-Mms-Ack-Request', this.options.ackRequest ? 'Yes' : 'No']);
    headers.push(['X-Mms-Originator-System', this.originatorSystem]);
    headers.push(['Sender', this.originatorSystem]);
    headers.push(['Message-ID', `<${transactionId}@${this.options.domain}>`]);
    const raw = writeMail(headers, { contentType: h.contentType, parts });

    const keep = Math.max(KEEP_MS, message.expiresAt - this.ctx.now() + KEEP_MS);
    const record: ForwardRecord = { peer: peer.domain, transactionId };
    await this.ctx.kv.set(`fwd:${message.id}:${recipient.index}`, record, keep);
    await this.ctx.kv.set(`tx:${transactionId}`, { messageId: message.id, index: recipient.index, peer: peer.domain }, keep);

    const rcpt = this.addressOut(recipient.address, domain);
    const outcome = await this.transports.send(peer, { from: this.originatorSystem, to: [rcpt], raw });
    if (outcome.status === 'retry') return { status: 'retry', reason: outcome.reason };
    if (outcome.status === 'refused') {
      this.ctx.log.warn({ messageId: message.id, peer: peer.domain, code: outcome.code }, `peer refused MM4_forward.REQ: ${outcome.reason}`);
      return { status: 'rejected', reason: { code: outcome.code === 552 ? 'size-exceeded' : 'service-denied', message: `refused by ${peer.domain}: ${outcome.reason}` } };
    }
    this.stats.forwarded += 1;
    this.ctx.log.info({ messageId: message.id, recipient: recipient.index, peer: peer.domain, host: outcome.host }, 'MM4_forward.REQ accepted by peer');
    // With a delivery report asked for, the recipient waits in `forwarded` for the peer's report.
    return h.deliveryReport ? { status: 'forwarded', reference: transactionId } : { status: 'delivered', reference: transactionId };
  }

  private addressOut(address: Address, domain: string): string {
    return mm4Address(address, domain);
  }

  private displayAddress(r: RecipientRecord): string {
    if (r.route?.target === 'mm4' && r.route.destination) return mm4Address(r.address, r.route.destination);
    return mm4Address(r.address, this.options.domain);
  }

  // --- outbound reports ----------------------------------------------------------------

  /** ReportSender for interface `mm4`: MM4_delivery_report.REQ / MM4_read_reply_report.REQ to the originator MMSC. */
  async sendReport(report: Report, message: StoredMessage): Promise<void> {
    const peerDomain = message.origin.peer;
    if (!peerDomain) throw new PermanentJobError('message came in over MM4 without a peer');
    const peer = this.transports.peerFor(peerDomain) ?? this.transports.defaultPeer(peerDomain);
    if (!peer) throw new PermanentJobError(`${peerDomain} is no longer a configured MM4 peer`);
    const attrs = message.origin.attributes ?? {};
    const senderDomain = typeof attrs.senderDomain === 'string' ? attrs.senderDomain : peer.domain;
    const originalId = typeof attrs.messageId === 'string' ? attrs.messageId : message.id;
    const to = this.addressOut(message.headers.from, senderDomain);
    const type: Mm4Type = report.kind === 'delivery' ? 'MM4_delivery_report.REQ' : 'MM4_read_reply_report.REQ';
    const transactionId = this.newTransactionId();
    const headers: HeaderList = [
      ...this.commonHeaders(type, transactionId, originalId),
      ['From', this.addressOut(report.recipient, this.options.domain)],
      ['To', to],
      ['Date', mailDate(new Date(report.at))],
      ['X-Mms-Ack-Request', this.options.ackRequest ? 'Yes' : 'No'],
    ];
    if (report.kind === 'delivery') headers.push(['X-Mms-MM-Status-Code', MM_STATUS_FOR[report.status]]);
    else headers.push(['X-Mms-Read-Status', READ_STATUS_FOR[report.status]]);
    if (report.text) headers.push(['X-Mms-Status-Text', encodeSubject(report.text)]);
    headers.push(['X-Mms-Originator-System', this.originatorSystem], ...this.mailMeta());
    const raw = writeMail(headers, { text: `${type} for message ${originalId}` });
    const toDomain = to.slice(to.lastIndexOf('@') + 1).toLowerCase();
    const peerDomains = [peer.domain, ...peer.aliases].map((d) => d.toLowerCase());
    const fallback = typeof attrs.originatorSystem === 'string' ? answerAddress([], { type, ackRequest: false, originatorSystem: attrs.originatorSystem }, undefined) : undefined;
    const rcpt = peerDomains.includes(toDomain) || !fallback ? to : fallback;
    const outcome = await this.transports.send(peer, { from: this.originatorSystem, to: [rcpt], raw });
    if (outcome.status === 'retry') throw new Error(`${type} to ${peer.domain}: ${outcome.reason}`);
    if (outcome.status === 'refused') throw new PermanentJobError(`${type} refused by ${peer.domain}: ${outcome.reason}`);
    this.stats.reportsSent += 1;
    this.ctx.log.info({ messageId: message.id, peer: peer.domain, kind: report.kind, status: report.status }, `${type} sent`);
  }

  // --- inbound -------------------------------------------------------------------------

  /** Handles one message from a peer; returns the text of the 250 reply or throws an `SmtpReply`. */
  async handleInbound(mail: InboundMail): Promise<string> {
    let parsed: ParsedMail;
    try {
      parsed = parseMail(mail.raw, this.options.limits);
    } catch (error) {
      if (error instanceof MimeError) {
        this.stats.refused += 1;
        this.ctx.log.warn({ peer: mail.peer.domain, remote: mail.session.remoteAddress, err: error.message }, 'malformed MIME from MM4 peer refused');
        throw new SmtpReply(554, `5.6.0 malformed MIME: ${error.message}`);
      }
      throw error;
    }
    const env = readEnvelope(parsed.headers);
    if (!env) {
      this.stats.refused += 1;
      this.ctx.log.warn({ peer: mail.peer.domain }, 'message without X-Mms-Message-Type refused');
      throw new SmtpReply(554, '5.6.0 not an MM4 message (X-Mms-Message-Type missing or unknown)');
    }
    this.ctx.log.debug({ peer: mail.peer.domain, type: env.type, transactionId: env.transactionId, messageId: env.messageId }, 'MM4 message received');
    switch (env.type) {
      case 'MM4_forward.REQ':
        return this.onForward(mail, parsed, env);
      case 'MM4_forward.RES':
        await this.onForwardRes(mail, env);
        return '2.0.0 MM4_forward.RES received';
      case 'MM4_delivery_report.REQ':
        return this.onDeliveryReport(mail, parsed, env);
      case 'MM4_read_reply_report.REQ':
        return this.onReadReply(mail, parsed, env);
      default:
        this.ctx.log.info({ peer: mail.peer.domain, type: env.type, status: env.requestStatus, messageId: env.messageId }, `${env.type} received`);
        return `2.0.0 ${env.type} received`;
    }
  }

  private parseAddr(raw: string) {
    return parseMm4Address(raw, (a) => this.ctx.mmsc.parseAddress(a));
  }

  private async onForward(mail: InboundMail, parsed: ParsedMail, env: Mm4Envelope): Promise<string> {
    const h = parsed.headers;
    const recipients: Address[] = [];
    for (const rcpt of mail.rcptTo) {
      if (rcpt.toLowerCase() === this.originatorSystem.toLowerCase() || /^system-user@/i.test(rcpt)) continue;
      try {
        recipients.push(this.parseAddr(rcpt).address);
      } catch {
        this.ctx.log.warn({ peer: mail.peer.domain, rcpt }, 'unreadable recipient address skipped');
      }
    }
    const fromRaw = header(h, 'from') ?? header(h, 'x-mms-sender-address');
    let from: Address | undefined;
    let senderDomain: string | undefined;
    try {
      if (fromRaw) {
        const p = this.parseAddr(fromRaw);
        from = p.address;
        senderDomain = p.domain;
      }
    } catch {
      from = undefined;
    }
    const fail = (status: RequestStatus, text: string, code: number, enhanced: string): never => {
      this.stats.refused += 1;
      if (env.ackRequest) this.respond(mail, parsed.headers, env, 'MM4_forward.RES', status, text);
      throw new SmtpReply(code, `${enhanced} ${text}`);
    };
    if (!from) fail('Error-message-format-corrupt', 'no readable sender address (From)', 554, '5.6.0');
    if (recipients.length === 0) fail('Error-unspecified', 'no recipient of ours', 550, '5.1.1');

    // At-least-once peers may send the same forward twice: answer Ok again without a second copy.
    const dedupeKeys = recipients.map((r) => `in:${mail.peer.domain}:${env.messageId ?? env.transactionId ?? ''}:${addressKey(r)}`);
    const already = env.messageId || env.transactionId ? await Promise.all(dedupeKeys.map((k) => this.ctx.kv.get<string>(k))) : [];
    const fresh = recipients.filter((_r, i) => !already[i]);
    if (fresh.length === 0) {
      this.ctx.log.info({ peer: mail.peer.domain, messageId: env.messageId }, 'duplicate MM4_forward.REQ answered again');
      if (env.ackRequest) this.respond(mail, parsed.headers, env, 'MM4_forward.RES', 'Ok', 'duplicate; already accepted');
      return '2.0.0 already accepted';
    }

    const ccKeys = new Set(
      addressHeader(h, 'cc').flatMap((raw) => {
        try {
          return [addressKey(this.parseAddr(raw).address)];
        } catch {
          return [];
        }
      }),
    );
    const message = this.toMessage(parsed, from!, fresh, ccKeys);
    const attributes: Record<string, string | number | boolean> = { ackRequest: env.ackRequest };
    if (env.transactionId) attributes.transactionId = env.transactionId;
    if (env.messageId) attributes.messageId = env.messageId;
    if (env.originatorSystem) attributes.originatorSystem = env.originatorSystem;
    if (env.version) attributes.mmsVersion = env.version;
    if (senderDomain) attributes.senderDomain = senderDomain;
    const result = await this.ctx.mmsc.submit({ message, origin: { interface: MM4_INTERFACE, peer: mail.peer.domain, attributes } });
    if (result.status === 'deferred') {
      this.ctx.log.warn({ peer: mail.peer.domain, reason: result.reason }, 'MM4_forward.REQ deferred');
      throw new SmtpReply(451, `4.3.0 ${result.reason.message}; try again later`);
    }
    if (result.status === 'rejected') {
      const status = REQUEST_STATUS_FOR[result.reason.code];
      this.ctx.log.info({ peer: mail.peer.domain, reason: result.reason }, 'MM4_forward.REQ rejected');
      if (env.ackRequest) {
        this.respond(mail, parsed.headers, env, 'MM4_forward.RES', status, result.reason.message);
        return `2.0.0 not accepted (${status}); see MM4_forward.RES`;
      }
      throw new SmtpReply(result.reason.code === 'size-exceeded' ? 552 : 554, `5.7.1 ${status}: ${result.reason.message}`);
    }
    if (env.messageId || env.transactionId) {
      await Promise.all(fresh.map((r) => this.ctx.kv.set(dedupeKeys[recipients.indexOf(r)]!, result.messageId, KEEP_MS)));
    }
    this.stats.received += 1;
    const refused = result.recipients.filter((r) => r.status === 'rejected');
    const text = refused.length ? `accepted; ${refused.length} recipient(s) refused: ${refused.map((r) => r.address.value).join(', ')}` : 'accepted';
    if (env.ackRequest) this.respond(mail, parsed.headers, env, 'MM4_forward.RES', 'Ok', text);
    this.ctx.log.info({ peer: mail.peer.domain, messageId: result.messageId, peerMessageId: env.messageId }, 'MM4_forward.REQ accepted');
    return `2.0.0 accepted as ${result.messageId}`;
  }

  private toMessage(parsed: ParsedMail, from: Address, recipients: Address[], ccKeys: Set<string>): MmsMessage {
    const h = parsed.headers;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.contentType.params)) if (k !== 'boundary') params[k] = v;
    const contentType = parsed.contentType.type.startsWith('multipart/')
      ? { type: mmsMultipartType(parsed.contentType.type), params }
      : { type: 'application/vnd.wap.multipart.mixed', params: {} };
    const headers: MmsHeaders = {
      from,
      to: recipients.filter((r) => !ccKeys.has(addressKey(r))),
      cc: recipients.filter((r) => ccKeys.has(addressKey(r))),
      bcc: [],
      contentType,
    };
    const subject = header(h, 'subject');
    if (subject !== undefined) headers.subject = { text: decodeWords(subject), charset: 'utf-8' };
    const date = parseDate(header(h, 'date'), this.ctx.now());
    if (date) headers.date = date;
    const expiry = parseDate(header(h, 'x-mms-expiry'), this.ctx.now());
    if (expiry) headers.expiry = expiry;
    const cls = messageClassIn(header(h, 'x-mms-message-class'));
    if (cls) headers.messageClass = cls;
    const priority = priorityIn(header(h, 'x-mms-priority'));
    if (priority) headers.priority = priority;
    headers.deliveryReport = yesNo(header(h, 'x-mms-delivery-report')) ?? false;
    headers.readReport = yesNo(header(h, 'x-mms-read-reply')) ?? yesNo(header(h, 'x-mms-read-report')) ?? false;
    const vis = header(h, 'x-mms-sender-visibility')?.trim().toLowerCase();
    if (vis === 'hide' || vis === 'show') headers.senderVisibility = vis;
    return { headers, parts: parsed.parts };
  }

  private async forwardedRecipient(messageId: string | undefined, from: string | undefined, peer: PeerOptions) {
    if (!messageId || !from) return undefined;
    const message = await this.ctx.mmsc.getMessage(messageId);
    if (!message) return undefined;
    let address: Address;
    try {
      address = this.parseAddr(from).address;
    } catch {
      return undefined;
    }
    const key = addressKey(address);
    const recipients = await this.ctx.mmsc.getRecipients(messageId);
    const recipient = recipients.find((r) => addressKey(r.address) === key);
    if (!recipient) return undefined;
    const record = await this.ctx.kv.get<ForwardRecord>(`fwd:${messageId}:${recipient.index}`);
    // Only the peer we forwarded to may report on it.
    if (!record || ![peer.domain, ...peer.aliases].some((d) => d.toLowerCase() === record.peer.toLowerCase())) return undefined;
    return { message, recipient, address };
  }

  private async onForwardRes(mail: InboundMail, env: Mm4Envelope): Promise<void> {
    const tx = env.transactionId ? await this.ctx.kv.get<{ messageId: string; index: number; peer: string }>(`tx:${env.transactionId}`) : undefined;
    if (!tx || tx.peer !== mail.peer.domain) {
      this.ctx.log.info({ peer: mail.peer.domain, transactionId: env.transactionId }, 'MM4_forward.RES for no forward of ours; ignored');
      return;
    }
    const status = env.requestStatus ?? 'Ok';
    if (status.toLowerCase() === 'ok') {
      await this.ctx.mmsc.setRecipientAttributes(tx.messageId, tx.index, { mm4Status: 'Ok' });
      return;
    }
    this.ctx.log.info({ messageId: tx.messageId, recipient: tx.index, status }, 'peer refused our forward in MM4_forward.RES');
    await this.safeTransition(tx.messageId, tx.index, 'rejected', `${mail.peer.domain}: ${status}${env.statusText ? ` (${env.statusText})` : ''}`, { mm4Status: status }, 'rejected');
  }

  private async onDeliveryReport(mail: InboundMail, parsed: ParsedMail, env: Mm4Envelope): Promise<string> {
    this.stats.reportsReceived += 1;
    const h = parsed.headers;
    const statusRaw = header(h, 'x-mms-mm-status-code') ?? header(h, 'x-mms-status') ?? '';
    const status = deliveryStatusFor(statusRaw);
    const found = await this.forwardedRecipient(env.messageId, header(h, 'from'), mail.peer);
    let answer: RequestStatus = 'Ok';
    if (!status) answer = 'Error-message-format-corrupt';
    else if (!found) {
      answer = 'Error-message-not-found';
      this.ctx.log.info({ peer: mail.peer.domain, messageId: env.messageId }, 'MM4_delivery_report.REQ for a message we did not forward there');
    } else {
      const { message, recipient } = found;
      const by = this.ctx.name;
      const text = env.statusText ? `${mail.peer.domain}: ${env.statusText}` : `${mail.peer.domain}: ${statusRaw}`;
      if (status === 'retrieved') await this.safeTransition(message.id, recipient.index, 'delivered', text, { mm4Status: statusRaw }, 'retrieved', by);
      else if (status === 'rejected' || status === 'unrecognised') await this.safeTransition(message.id, recipient.index, 'rejected', text, { mm4Status: statusRaw }, status, by);
      else if (status === 'expired') await this.safeTransition(message.id, recipient.index, 'expired', text, { mm4Status: statusRaw }, 'expired', by);
      else if (message.headers.deliveryReport) {
        await this.ctx.mmsc.sendReport(message.id, { kind: 'delivery', messageId: message.id, recipient: recipient.address, status, at: this.ctx.now(), text });
      }
    }
    if (env.ackRequest) this.respond(mail, parsed.headers, env, 'MM4_delivery_report.RES', answer, answer === 'Ok' ? 'report received' : 'report not applied');
    return `2.0.0 MM4_delivery_report.REQ received (${answer})`;
  }

  private async onReadReply(mail: InboundMail, parsed: ParsedMail, env: Mm4Envelope): Promise<string> {
    this.stats.reportsReceived += 1;
    const h = parsed.headers;
    const status = readStatusFor(header(h, 'x-mms-read-status') ?? '');
    const found = await this.forwardedRecipient(env.messageId, header(h, 'from'), mail.peer);
    let answer: RequestStatus = 'Ok';
    if (!status) answer = 'Error-message-format-corrupt';
    else if (!found) answer = 'Error-message-not-found';
    else {
      const at = parseDate(header(h, 'date'), this.ctx.now())?.getTime() ?? this.ctx.now();
      await this.ctx.mmsc.sendReport(found.message.id, { kind: 'read', messageId: found.message.id, recipient: found.address, status, at });
    }
    if (env.ackRequest) this.respond(mail, parsed.headers, env, 'MM4_read_reply_report.RES', answer, answer === 'Ok' ? 'report received' : 'report not applied');
    return `2.0.0 MM4_read_reply_report.REQ received (${answer})`;
  }

  private async safeTransition(
    messageId: string,
    index: number,
    state: 'delivered' | 'rejected' | 'expired',
    reason: string,
    attributes: Record<string, string>,
    report: 'retrieved' | 'rejected' | 'expired' | 'unrecognised',
    by = this.ctx.name,
  ): Promise<void> {
    try {
      await this.ctx.mmsc.transition(messageId, index, state, { by, reason, attributes, report });
    } catch (error) {
      if (error instanceof InvalidTransitionError) {
        this.ctx.log.info({ messageId, index, state }, `recipient already moved on: ${error.message}`);
        return;
      }
      throw error;
    }
  }

  // --- answers (MM4_*.RES) -------------------------------------------------------------

  /** Sends an MM4_*.RES in the background, retrying a few times with back-off. */
  private respond(mail: InboundMail, requestHeaders: HeaderList, env: Mm4Envelope, type: Mm4Type, status: RequestStatus, text: string): void {
    const to = answerAddress(requestHeaders, env, mail.mailFrom);
    if (!to) {
      this.ctx.log.warn({ peer: mail.peer.domain, type }, 'no address to send the answer to');
      return;
    }
    const headers: HeaderList = [...this.commonHeaders(type, env.transactionId ?? this.newTransactionId(), env.messageId)];
    headers.push(['X-Mms-Request-Status-Code', status], ['X-Mms-Status-Text', encodeSubject(text)], ['From', this.originatorSystem], ['To', to], ...this.mailMeta());
    const raw = writeMail(headers, { text: `${type}: ${status}` });
    const run = this.sendWithRetry(mail.peer, to, raw, type).finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  private async sendWithRetry(peer: PeerOptions, to: string, raw: Buffer, type: Mm4Type): Promise<void> {
    const attempts = Math.max(1, this.options.responseRetries);
    for (let attempt = 1; attempt <= attempts && !this.stopping; attempt++) {
      const outcome = await this.transports.send(peer, { from: this.originatorSystem, to: [to], raw });
      if (outcome.status === 'sent') {
        this.stats.responsesSent += 1;
        return;
      }
      if (outcome.status === 'refused') {
        this.ctx.log.warn({ peer: peer.domain, type, reason: outcome.reason }, `${type} refused by peer`);
        return;
      }
      this.ctx.log.warn({ peer: peer.domain, type, attempt, reason: outcome.reason }, `${type} not sent; will retry`);
      await new Promise((r) => setTimeout(r, Math.min(60_000, 500 * 2 ** (attempt - 1))).unref());
    }
  }

  /** Stops retrying answers and waits a moment for those in flight. */
  async drain(ms = 5000): Promise<void> {
    this.stopping = true;
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((r) => setTimeout(r, ms).unref())]);
  }
}

function encodeSubject(text: string): string {
  return encodeWords(text);
}

/** RFC 5322 date, or a relative number of seconds (`+3600` / `3600`). */
function parseDate(value: string | undefined, now: number): Date | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\+?\d+$/.test(v)) return new Date(now + Number(v.replace('+', '')) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t);
}

