import { ThreadStoppedError, addressKey, type Address, type MmsMessage } from '@openmmsc/core';
import { SmtpReply, deferredReply, smtpReplyFor } from '@openmmsc/smtp';
import type { Bouncer } from './bounces.js';
import type { Mm3Deps } from './context.js';
import { readMail, type MailOutcome, type MailReading } from './reading/mail-reading.js';

export const MM3_INTERFACE = 'mm3';

/** E-mail → MMS: mail for `<msisdn>@<domain>` becomes an MMS to our own subscribers, never a relay. */
export class MailIntake {
  private readonly domains: Set<string>;

  constructor(
    private readonly deps: Mm3Deps,
    private readonly bouncer: Bouncer,
  ) {
    this.domains = new Set([deps.options.domain, ...deps.options.aliases].map((d) => d.toLowerCase()));
  }

  isOurDomain(domain: string): boolean {
    return this.domains.has(domain.toLowerCase());
  }

  /** `+15551234567@domain` / `15551234567@domain` → the subscriber's address, or undefined. */
  subscriberOf(rcpt: string): Address | undefined {
    const at = rcpt.lastIndexOf('@');
    if (at < 0 || !this.isOurDomain(rcpt.slice(at + 1))) return undefined;
    const local = rcpt.slice(0, at).replace(/\/TYPE=PLMN$/i, '');
    if (!/^\+?\d{3,15}$/.test(local)) return undefined;
    try {
      const a = this.deps.ctx.mmsc.parseAddress(local.startsWith('+') ? local : `+${local}`);
      return a.type === 'plmn' ? a : undefined;
    } catch {
      return undefined;
    }
  }

  /** Reads the mail (see MailReader); what cannot be read is refused, 554 5.6.0. */
  private async read(raw: Buffer, remote: string): Promise<MailReading> {
    const { ctx, stats } = this.deps;
    let outcome: MailOutcome;
    try {
      outcome = ctx.readMail ? await ctx.readMail(raw) : await readMail(raw, this.deps.options);
    } catch (error) {
      if (!(error instanceof ThreadStoppedError)) throw error;
      // Not read, let alone stored: the sender's server tries again.
      ctx.log.error({ remote, err: error }, 'mail lost its reading thread');
      throw new SmtpReply(451, '4.3.0 the message could not be read here; try again later');
    }
    if ('unreadable' in outcome) {
      stats.refused += 1;
      ctx.log.warn({ remote, err: outcome.unreadable }, 'unreadable mail refused');
      throw new SmtpReply(554, `5.6.0 ${outcome.unreadable}`);
    }
    const { warnings } = outcome.reading;
    if (warnings.length) {
      stats.decodeWarnings += warnings.length;
      ctx.countDecodeWarnings?.(warnings.length);
      ctx.log.warn({ remote, warnings }, 'mail read past deviations');
    }
    return outcome.reading;
  }

  async handleMail(envelopeFrom: string, rcptTo: string[], raw: Buffer, remote: string): Promise<string> {
    const { ctx, options, stats } = this.deps;
    // Taken before the mail may move to a reading thread.
    const headerText = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n'))).toString('utf8');
    const mail = await this.read(raw, remote);
    const emailMessageId = mail.messageId;
    const subject = mail.subject;
    const converted = mail.converted;
    if (converted.refuse) {
      stats.refused += 1;
      ctx.log.warn({ remote, from: envelopeFrom, reason: converted.refuse }, 'mail with executable content refused');
      throw new SmtpReply(554, `5.7.1 refused: ${converted.refuse}`);
    }
    if (converted.parts.length === 0) {
      stats.refused += 1;
      throw new SmtpReply(554, '5.6.0 nothing to send: the mail has no text or attachments');
    }
    const fromHeader = mail.fromAddress;
    let from: Address;
    try {
      from = ctx.mmsc.parseAddress(fromHeader || envelopeFrom);
    } catch {
      throw new SmtpReply(553, '5.1.7 sender address unreadable');
    }
    const recipients = rcptTo.map((r) => this.subscriberOf(r)).filter((a): a is Address => a !== undefined);
    const message: MmsMessage = {
      headers: {
        from,
        to: recipients,
        cc: [],
        bcc: [],
        contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} },
        // Bounces need the kernel's delivery reports; the handset is not asked for anything.
        deliveryReport: options.inbound.bounces,
        readReport: false,
        ...(subject ? { subject: { text: subject, charset: 'utf-8' } } : {}),
        ...(mail.date ? { date: mail.date } : {}),
      },
      parts: converted.parts,
    };
    if (mail.priority === 'high' || mail.priority === 'low') message.headers.priority = mail.priority;
    const attributes: Record<string, string | number | boolean> = { envelopeFrom };
    if (emailMessageId) attributes.emailMessageId = emailMessageId;
    if (converted.removed.length) attributes.removedAttachments = converted.removed.map((r) => r.name).join(', ');
    const result = await ctx.mmsc.submit({ message, origin: { interface: MM3_INTERFACE, peer: remote, attributes }, acceptTargets: options.acceptTargets });
    const bounceBase = { ...(subject ? { subject } : {}), ...(emailMessageId ? { originalMessageId: emailMessageId } : {}), originalHeaders: headerText };
    if (result.status === 'deferred') throw deferredReply(result.reason);
    if (result.status === 'rejected') {
      stats.refused += 1;
      const { code, status } = smtpReplyFor(result.reason);
      ctx.log.info({ remote, from: envelopeFrom, reason: result.reason }, 'mail refused by the MMSC');
      if (code === 552) {
        this.bouncer.later(envelopeFrom, { ...bounceBase, recipients: rcptTo.map((address) => ({ address, status, diagnostic: result.reason.message })), explanation: 'Your message is larger than an MMS may be.' });
      }
      throw new SmtpReply(code, `${status} ${result.reason.message}`);
    }
    stats.received += 1;
    const refused = result.recipients.filter((r) => r.status === 'rejected');
    if (refused.length) {
      this.bouncer.later(envelopeFrom, {
        ...bounceBase,
        recipients: refused.map((r) => ({ address: this.bouncer.recipientEmail(r.address), status: smtpReplyFor(r.reason).status, diagnostic: r.reason.message })),
        explanation: 'Your message could not be delivered to some recipients.',
      });
    }
    const keys = new Set(result.recipients.filter((r) => r.status !== 'rejected').map((r) => addressKey(r.address)));
    ctx.log.info({ messageId: result.messageId, from: envelopeFrom, recipients: [...keys] }, 'e-mail accepted as MMS');
    return `2.0.0 accepted as MMS ${result.messageId}`;
  }
}
