import { ThreadStoppedError } from '@openmmsc/core';
import type { Mm4Deps } from './context.js';
import { ForwardReceiver } from './forward-in.js';
import { MimeError, parseContent, parseHead, type MailHead, type ParsedMail } from './mime.js';
import { isPeerSystem } from './peer-trust.js';
import { answerAddress, answerTypeFor, readEnvelope, type Mm4Envelope } from './protocol.js';
import { ReportReceiver } from './reports-in.js';
import type { Responder } from './responder.js';
import type { InboundMail } from './server.js';
import { SmtpReply } from '@openmmsc/smtp';

/** One message from a peer: read strictly, trusted only for what the peer owns, then dispatched by type. */
export class Inbound {
  private readonly forwards: ForwardReceiver;
  private readonly reports: ReportReceiver;

  constructor(
    private readonly deps: Mm4Deps,
    private readonly responder: Responder,
    originatorSystem: string,
  ) {
    this.forwards = new ForwardReceiver(deps, responder, originatorSystem);
    this.reports = new ReportReceiver(deps, responder);
  }

  /** Returns the text of the 250 reply or throws an `SmtpReply`. */
  async handle(mail: InboundMail): Promise<string> {
    const { ctx, stats, options } = this.deps;
    const peer = mail.peer.domain;
    let head: MailHead;
    try {
      head = parseHead(mail.raw, options.limits);
    } catch (error) {
      throw this.malformed(mail, error);
    }
    const env = readEnvelope(head.headers);
    if (!env) {
      stats.refused += 1;
      ctx.log.warn({ peer }, 'message without X-Mms-Message-Type refused');
      throw new SmtpReply(554, '5.6.0 not an MM4 message (X-Mms-Message-Type missing or unknown)');
    }
    // The RES would go to the originator system: a peer may name only its own.
    if (env.originatorSystem) {
      const system = answerAddress([], env, undefined);
      if (!system || !isPeerSystem(mail.peer, system)) {
        stats.refused += 1;
        ctx.log.warn({ peer, remote: mail.session.remoteAddress, originatorSystem: env.originatorSystem }, 'MM4 message naming another originator system refused');
        throw new SmtpReply(550, `5.7.1 X-Mms-Originator-System ${system ?? env.originatorSystem} is not a system of ${peer}`);
      }
    }
    let parsed: ParsedMail;
    try {
      parsed = ctx.readContent ? await ctx.readContent(head, options.limits) : parseContent(head, options.limits);
    } catch (error) {
      if (error instanceof ThreadStoppedError) {
        // Not read, let alone stored: the peer sends it again.
        ctx.log.error({ peer, err: error }, 'MM4 message lost its reading thread');
        throw new SmtpReply(451, '4.3.0 the message could not be read here; try again later');
      }
      throw this.malformed(mail, error, head, env);
    }
    if (parsed.warnings.length) {
      stats.decodeWarnings += parsed.warnings.length;
      ctx.countDecodeWarnings?.(parsed.warnings.length);
      ctx.log.warn({ peer, type: env.type, transactionId: env.transactionId, warnings: parsed.warnings }, 'MM4 message read past deviations');
    }
    ctx.log.debug({ peer, type: env.type, transactionId: env.transactionId, messageId: env.messageId }, 'MM4 message received');
    switch (env.type) {
      case 'MM4_forward.REQ':
        return this.forwards.receive(mail, parsed, env);
      case 'MM4_forward.RES':
        await this.reports.onForwardRes(mail, env);
        return '2.0.0 MM4_forward.RES received';
      case 'MM4_delivery_report.REQ':
        return this.reports.onDeliveryReport(mail, parsed, env);
      case 'MM4_read_reply_report.REQ':
        return this.reports.onReadReply(mail, parsed, env);
      default:
        ctx.log.info({ peer, type: env.type, status: env.requestStatus, messageId: env.messageId }, `${env.type} received`);
        return `2.0.0 ${env.type} received`;
    }
  }

  /** A structure cut short or not holding: 554 5.6.0, and Error-message-format-corrupt where a RES is due. Nothing is stored. */
  private malformed(mail: InboundMail, error: unknown, head?: MailHead, env?: Mm4Envelope): unknown {
    if (!(error instanceof MimeError)) return error;
    this.deps.stats.refused += 1;
    this.deps.ctx.log.warn({ peer: mail.peer.domain, remote: mail.session.remoteAddress, type: env?.type, err: error.message }, 'malformed MIME from MM4 peer refused');
    const answer = env && answerTypeFor(env.type);
    if (head && env && answer && env.ackRequest) void this.responder.respond(mail, head.headers, env, answer, 'Error-message-format-corrupt', `malformed MIME: ${error.message}`);
    return new SmtpReply(554, `5.6.0 malformed MIME: ${error.message}`);
  }
}
