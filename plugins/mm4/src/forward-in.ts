import { addressKey, type Address, type MmsHeaders, type MmsMessage, type Retransmission } from '@openmmsc/core';
import type { Mm4Deps } from './context.js';
import { bareId, decodeWords, header, wapMultipartType, type ParsedMail } from './mime.js';
import { originatorOwnership } from './peer-trust.js';
import {
  MM4_INTERFACE,
  REQUEST_STATUS_FOR,
  addressHeader,
  mailDate,
  messageClassIn,
  parseMailDate,
  parseMm4Address,
  priorityIn,
  yesNo,
  type Mm4AddressParts,
  type Mm4Envelope,
  type RequestStatus,
} from './protocol.js';
import type { Responder } from './responder.js';
import type { InboundMail } from './server.js';
import { SmtpReply, deferredReply, smtpReplyFor } from '@openmmsc/smtp';

/** An inbound MM4_forward.REQ: who may send it, whom it may reach, and its answer. */
export class ForwardReceiver {
  constructor(
    private readonly deps: Mm4Deps,
    private readonly responder: Responder,
    private readonly originatorSystem: string,
  ) {}

  private parseAddr(raw: string): Mm4AddressParts {
    return parseMm4Address(raw, (a) => this.deps.ctx.mmsc.parseAddress(a));
  }

  async receive(mail: InboundMail, parsed: ParsedMail, env: Mm4Envelope): Promise<string> {
    const { ctx, options, stats } = this.deps;
    const h = parsed.headers;
    const peer = mail.peer;
    // Every refusal is an SMTP 5xx; a peer that asked for an answer also gets the RES.
    const refuse = (status: RequestStatus, text: string, code: number, enhanced: string): never => {
      stats.refused += 1;
      if (env.ackRequest) void this.responder.respond(mail, h, env, 'MM4_forward.RES', status, text);
      throw new SmtpReply(code, `${enhanced} ${text}`);
    };

    const fromRaw = header(h, 'from') ?? header(h, 'x-mms-sender-address');
    if (!fromRaw) return refuse('Error-message-format-corrupt', 'no sender address (From)', 554, '5.6.0');
    let originator: Mm4AddressParts;
    try {
      originator = this.parseAddr(fromRaw);
    } catch {
      return refuse('Error-sending-address-unresolved', `sender address ${JSON.stringify(fromRaw.slice(0, 80))} unreadable`, 553, '5.1.7');
    }
    const ownership = originatorOwnership(peer, originator.address, originator.domain);
    if (!ownership.owned) {
      ctx.log.warn({ peer: peer.domain, remote: mail.session.remoteAddress, from: fromRaw }, `MM4_forward.REQ refused: ${ownership.reason}`);
      return refuse('Error-service-denied', ownership.reason, 550, '5.7.1');
    }

    const recipients = this.recipients(mail);
    if (recipients.length === 0) return refuse('Error-unspecified', 'no recipient of ours', 550, '5.1.1');

    // TS 23.140 has no request status for expiry: Error-unspecified, with the reason in the text.
    const expiry = parseMailDate(header(h, 'x-mms-expiry'), ctx.now());
    if (expiry && expiry.getTime() <= ctx.now()) {
      ctx.log.info({ peer: peer.domain, messageId: env.messageId, expiry: expiry.toISOString() }, 'MM4_forward.REQ already expired; refused');
      return refuse('Error-unspecified', `message expired (X-Mms-Expiry ${mailDate(expiry)}) before it arrived`, 554, '5.4.7');
    }

    const message = this.toMessage(parsed, originator.address, recipients);
    const attributes: Record<string, string | number | boolean> = { ackRequest: env.ackRequest };
    if (env.transactionId) attributes.transactionId = env.transactionId;
    if (env.messageId) attributes.messageId = env.messageId;
    if (env.originatorSystem) attributes.originatorSystem = env.originatorSystem;
    if (env.version) attributes.mmsVersion = env.version;
    if (originator.domain) attributes.senderDomain = originator.domain;
    const retransmission = this.retransmissionOf(mail, env);
    const result = await ctx.mmsc.submit({
      message,
      origin: { interface: MM4_INTERFACE, peer: peer.domain, attributes },
      acceptTargets: options.acceptTargets,
      ...(retransmission ? { retransmission } : {}),
    });
    if (result.status === 'deferred') {
      ctx.log.warn({ peer: peer.domain, reason: result.reason }, 'MM4_forward.REQ deferred');
      throw deferredReply(result.reason);
    }
    if (result.status === 'rejected') {
      const status = REQUEST_STATUS_FOR[result.reason.code];
      const { code, status: enhanced } = smtpReplyFor(result.reason);
      ctx.log.info({ peer: peer.domain, reason: result.reason }, 'MM4_forward.REQ rejected');
      return refuse(status, result.reason.message, code, enhanced);
    }
    if (result.retransmission) ctx.log.info({ peer: peer.domain, transactionId: env.transactionId, messageId: result.messageId }, 'retransmitted MM4_forward.REQ answered again');
    else stats.received += 1;
    const refused = result.recipients.filter((r) => r.status === 'rejected');
    const text = refused.length ? `accepted; ${refused.length} recipient(s) refused: ${refused.map((r) => r.address.value).join(', ')}` : 'accepted';
    if (env.ackRequest) await this.responder.respond(mail, h, env, 'MM4_forward.RES', 'Ok', text);
    ctx.log.info({ peer: peer.domain, messageId: result.messageId, peerMessageId: env.messageId }, 'MM4_forward.REQ accepted');
    return `2.0.0 accepted as ${result.messageId}`;
  }

  /** The SMTP envelope's recipients (our subscribers); the RCPT of our own system is no recipient. */
  private recipients(mail: InboundMail): Address[] {
    const { ctx } = this.deps;
    const out: Address[] = [];
    for (const rcpt of mail.rcptTo) {
      if (rcpt.toLowerCase() === this.originatorSystem.toLowerCase() || /^system-user@/i.test(rcpt)) continue;
      try {
        out.push(this.parseAddr(rcpt).address);
      } catch {
        ctx.log.warn({ peer: mail.peer.domain, rcpt }, 'unreadable recipient address skipped');
      }
    }
    return out;
  }

  /** A peer repeats a forward whose RES it missed with the same X-Mms-Transaction-ID. */
  private retransmissionOf(mail: InboundMail, env: Mm4Envelope): Retransmission | undefined {
    const id = env.transactionId ?? (env.messageId ? `message-id:${env.messageId}` : undefined);
    if (!id) return undefined;
    return { key: `${mail.peer.domain}:${id}`, windowMs: this.deps.options.retransmissionWindow };
  }

  private toMessage(parsed: ParsedMail, from: Address, recipients: Address[]): MmsMessage {
    const { ctx } = this.deps;
    const h = parsed.headers;
    const ccKeys = new Set(
      addressHeader(h, 'cc').flatMap((raw) => {
        try {
          return [addressKey(this.parseAddr(raw).address)];
        } catch {
          return [];
        }
      }),
    );
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.contentType.params)) if (k !== 'boundary') params[k] = v;
    // The root is named as its part's Content-ID is kept: bare.
    if (params.start) params.start = bareId(params.start);
    const contentType = parsed.contentType.type.startsWith('multipart/')
      ? { type: wapMultipartType(parsed.contentType.type), params }
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
    const date = parseMailDate(header(h, 'date'), ctx.now());
    if (date) headers.date = date;
    const expiry = parseMailDate(header(h, 'x-mms-expiry'), ctx.now());
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
}
