import { InvalidTransitionError, addressKey, type Address } from '@openmmsc/core';
import type { ForwardRecord, Mm4Deps } from './context.js';
import { header, type ParsedMail } from './mime.js';
import type { PeerOptions } from './options.js';
import { deliveryStatusFor, parseMailDate, parseMm4Address, readStatusFor, type Mm4Envelope, type RequestStatus } from './protocol.js';
import type { Responder } from './responder.js';
import type { InboundMail } from './server.js';

/** Answers and reports from peers about forwards of ours. */
export class ReportReceiver {
  constructor(
    private readonly deps: Mm4Deps,
    private readonly responder: Responder,
  ) {}

  private parseAddr(raw: string) {
    return parseMm4Address(raw, (a) => this.deps.ctx.mmsc.parseAddress(a));
  }

  async onForwardRes(mail: InboundMail, env: Mm4Envelope): Promise<void> {
    const { ctx } = this.deps;
    const tx = env.transactionId ? await ctx.kv.get<{ messageId: string; index: number; peer: string }>(`tx:${env.transactionId}`) : undefined;
    if (!tx || tx.peer !== mail.peer.domain) {
      ctx.log.info({ peer: mail.peer.domain, transactionId: env.transactionId }, 'MM4_forward.RES for no forward of ours; ignored');
      return;
    }
    const status = env.requestStatus ?? 'Ok';
    if (status.toLowerCase() === 'ok') {
      await ctx.mmsc.setRecipientAttributes(tx.messageId, tx.index, { mm4Status: 'Ok' });
      return;
    }
    ctx.log.info({ messageId: tx.messageId, recipient: tx.index, status }, 'peer refused our forward in MM4_forward.RES');
    await this.safeTransition(tx.messageId, tx.index, 'rejected', `${mail.peer.domain}: ${status}${env.statusText ? ` (${env.statusText})` : ''}`, { mm4Status: status }, 'rejected');
  }

  async onDeliveryReport(mail: InboundMail, parsed: ParsedMail, env: Mm4Envelope): Promise<string> {
    const { ctx, stats } = this.deps;
    stats.reportsReceived += 1;
    const h = parsed.headers;
    const statusRaw = header(h, 'x-mms-mm-status-code') ?? header(h, 'x-mms-status') ?? '';
    const status = deliveryStatusFor(statusRaw);
    const found = await this.forwardedRecipient(env.messageId, header(h, 'from'), mail.peer);
    let answer: RequestStatus = 'Ok';
    if (!status) answer = 'Error-message-format-corrupt';
    else if (!found) {
      answer = 'Error-message-not-found';
      ctx.log.info({ peer: mail.peer.domain, messageId: env.messageId }, 'MM4_delivery_report.REQ for a message we did not forward there');
    } else {
      const { message, recipient } = found;
      const by = ctx.name;
      const text = env.statusText ? `${mail.peer.domain}: ${env.statusText}` : `${mail.peer.domain}: ${statusRaw}`;
      if (status === 'retrieved') await this.safeTransition(message.id, recipient.index, 'delivered', text, { mm4Status: statusRaw }, 'retrieved', by);
      else if (status === 'rejected' || status === 'unrecognised') await this.safeTransition(message.id, recipient.index, 'rejected', text, { mm4Status: statusRaw }, status, by);
      else if (status === 'expired') await this.safeTransition(message.id, recipient.index, 'expired', text, { mm4Status: statusRaw }, 'expired', by);
      else if (message.headers.deliveryReport) {
        await ctx.mmsc.sendReport(message.id, { kind: 'delivery', messageId: message.id, recipient: recipient.address, status, at: ctx.now(), text });
      }
    }
    if (env.ackRequest) await this.responder.respond(mail, parsed.headers, env, 'MM4_delivery_report.RES', answer, answer === 'Ok' ? 'report received' : 'report not applied');
    return `2.0.0 MM4_delivery_report.REQ received (${answer})`;
  }

  async onReadReply(mail: InboundMail, parsed: ParsedMail, env: Mm4Envelope): Promise<string> {
    const { ctx, stats } = this.deps;
    stats.reportsReceived += 1;
    const h = parsed.headers;
    const status = readStatusFor(header(h, 'x-mms-read-status') ?? '');
    const found = await this.forwardedRecipient(env.messageId, header(h, 'from'), mail.peer);
    let answer: RequestStatus = 'Ok';
    if (!status) answer = 'Error-message-format-corrupt';
    else if (!found) answer = 'Error-message-not-found';
    else {
      const at = parseMailDate(header(h, 'date'), ctx.now())?.getTime() ?? ctx.now();
      await ctx.mmsc.sendReport(found.message.id, { kind: 'read', messageId: found.message.id, recipient: found.address, status, at });
    }
    if (env.ackRequest) await this.responder.respond(mail, parsed.headers, env, 'MM4_read_reply_report.RES', answer, answer === 'Ok' ? 'report received' : 'report not applied');
    return `2.0.0 MM4_read_reply_report.REQ received (${answer})`;
  }

  /** The recipient of ours a peer reports on: only the peer we forwarded it to may. */
  private async forwardedRecipient(messageId: string | undefined, from: string | undefined, peer: PeerOptions) {
    const { ctx } = this.deps;
    if (!messageId || !from) return undefined;
    const message = await ctx.mmsc.getMessage(messageId);
    if (!message) return undefined;
    let address: Address;
    try {
      address = this.parseAddr(from).address;
    } catch {
      return undefined;
    }
    const key = addressKey(address);
    const recipients = await ctx.mmsc.getRecipients(messageId);
    const recipient = recipients.find((r) => addressKey(r.address) === key);
    if (!recipient) return undefined;
    const record = await ctx.kv.get<ForwardRecord>(`fwd:${messageId}:${recipient.index}`);
    if (!record || ![peer.domain, ...peer.aliases].some((d) => d.toLowerCase() === record.peer.toLowerCase())) return undefined;
    return { message, recipient, address };
  }

  private async safeTransition(
    messageId: string,
    index: number,
    state: 'delivered' | 'rejected' | 'expired',
    reason: string,
    attributes: Record<string, string>,
    report: 'retrieved' | 'rejected' | 'expired' | 'unrecognised',
    by = this.deps.ctx.name,
  ): Promise<void> {
    try {
      await this.deps.ctx.mmsc.transition(messageId, index, state, { by, reason, attributes, report });
    } catch (error) {
      if (error instanceof InvalidTransitionError) {
        this.deps.ctx.log.info({ messageId, index, state }, `recipient already moved on: ${error.message}`);
        return;
      }
      throw error;
    }
  }
}
