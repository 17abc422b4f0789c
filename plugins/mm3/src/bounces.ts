import type { Address, Report, StoredMessage } from '@openmmsc/core';
import { buildBounce, type BounceSpec } from './bounce.js';
import type { Mm3Deps } from './context.js';

const FAILED: ReadonlySet<string> = new Set(['rejected', 'expired', 'unreachable', 'unrecognised', 'deleted']);

/** What a bounce says, beyond who sends it, to whom and when. */
export type BounceContent = Omit<BounceSpec, 'reportingMta' | 'from' | 'to' | 'date'>;

/** Bounces (RFC 3464 DSNs) to e-mail senders: e-mail has no delivery reports, so only failures are told. */
export class Bouncer {
  constructor(private readonly deps: Mm3Deps) {}

  private get from(): string {
    const o = this.deps.options;
    return o.bounceFrom ?? `MAILER-DAEMON@${o.domain}`;
  }

  /** ReportSender for `mm3`: a bounce to the e-mail sender when the MMS failed for good. */
  async sendReport(report: Report, message: StoredMessage): Promise<void> {
    if (report.kind !== 'delivery' || !FAILED.has(report.status) || !this.deps.options.inbound.bounces) return;
    const attrs = message.origin.attributes ?? {};
    const to = typeof attrs.envelopeFrom === 'string' && attrs.envelopeFrom ? attrs.envelopeFrom : message.headers.from.type === 'email' ? message.headers.from.value : '';
    if (!to) return; // a null reverse path is never bounced to
    await this.send(to, {
      ...(message.headers.subject?.text ? { subject: message.headers.subject.text } : {}),
      ...(typeof attrs.emailMessageId === 'string' ? { originalMessageId: attrs.emailMessageId } : {}),
      recipients: [{ address: this.recipientEmail(report.recipient), status: report.status === 'expired' ? '4.4.7' : '5.0.0', diagnostic: report.text ?? `MMS ${report.status}` }],
      explanation: report.status === 'expired' ? 'Your message could not be delivered before it expired.' : 'Your message could not be delivered to the following recipient(s).',
    });
  }

  recipientEmail(a: Address): string {
    return a.type === 'email' ? a.value : `${a.value}@${this.deps.options.domain}`;
  }

  async send(to: string, content: BounceContent): Promise<void> {
    const { ctx, options, mailer, stats } = this.deps;
    const raw = buildBounce({ reportingMta: options.domain, from: this.from, to, date: new Date(ctx.now()), ...content });
    const outcome = await mailer.send(to, { envelope: { from: '', to: [to] }, raw });
    if (outcome.status === 'retry') throw new Error(`bounce to ${to} not sent: ${outcome.reason}`);
    if (outcome.status === 'refused') {
      ctx.log.warn({ to, reason: outcome.reason }, 'bounce refused; dropped');
      return;
    }
    stats.bounces += 1;
    ctx.log.info({ to }, 'bounce sent');
  }

  /** Bounces in the background (after an SMTP refusal the sender is already told; this is the DSN). */
  later(to: string, content: BounceContent): void {
    if (!this.deps.options.inbound.bounces || !to) return;
    void this.send(to, content).catch((error: unknown) => this.deps.ctx.log.warn({ err: error, to }, 'bounce failed'));
  }
}
