import type { DeliveryRequest, DeliveryResult, Report, StoredMessage } from '@openmmsc/core';
import { Bouncer } from './bounces.js';
import type { Mm3Context, Mm3Deps, Mm3Stats } from './context.js';
import { MailIntake } from './intake.js';
import type { Mailer } from './mailer.js';
import type { Mm3Options } from './options.js';
import { Mm3Server } from './server.js';
import { mmsToEmail } from './to-email.js';

export { MM3_INTERFACE } from './intake.js';
export type { Mm3Context, Mm3Log, Mm3Stats } from './context.js';

/** MM3: MMS to e-mail (Deliverer `mm3`), e-mail to MMS (SMTP server), bounces (ReportSender `mm3`). */
export class Mm3 {
  readonly stats: Mm3Stats = { sent: 0, received: 0, refused: 0, bounces: 0, decodeWarnings: 0 };
  private readonly deps: Mm3Deps;
  private readonly bouncer: Bouncer;
  private readonly server: Mm3Server;

  constructor(ctx: Mm3Context, options: Mm3Options, mailer: Mailer) {
    this.deps = { ctx, options, mailer, stats: this.stats };
    this.bouncer = new Bouncer(this.deps);
    this.server = new Mm3Server(this.deps, new MailIntake(this.deps, this.bouncer), this.bouncer);
  }

  // --- MMS → e-mail --------------------------------------------------------------------

  async deliver(request: DeliveryRequest): Promise<DeliveryResult> {
    const { message, recipient, parts } = request;
    if (recipient.address.type !== 'email') {
      return { status: 'rejected', reason: { code: 'no-route', message: `${recipient.address.value} is not an e-mail address` } };
    }
    const size = parts.reduce((n, p) => n + p.data.byteLength, 0);
    if (size > this.deps.options.outbound.maxSize) {
      return { status: 'rejected', reason: { code: 'size-exceeded', message: `message of ${size} bytes is larger than e-mail allows here` } };
    }
    const mail = mmsToEmail(message, parts, recipient.address.value, this.deps.options);
    const outcome = await this.deps.mailer.send(recipient.address.value, mail);
    if (outcome.status === 'retry') return { status: 'retry', reason: outcome.reason };
    if (outcome.status === 'refused') {
      this.deps.ctx.log.info({ messageId: message.id, to: recipient.address.value, reason: outcome.reason }, 'e-mail refused');
      return { status: 'rejected', reason: { code: outcome.code === 552 ? 'size-exceeded' : 'address-unresolved', message: outcome.reason } };
    }
    this.deps.stats.sent += 1;
    this.deps.ctx.log.info({ messageId: message.id, to: recipient.address.value }, 'MMS sent as e-mail');
    // E-mail has no delivery confirmation: handing it to the mail system is as far as we can see.
    return outcome.messageId ? { status: 'delivered', reference: outcome.messageId } : { status: 'delivered' };
  }

  /** ReportSender for `mm3`: a bounce to the e-mail sender when the MMS failed for good. */
  sendReport(report: Report, message: StoredMessage): Promise<void> {
    return this.bouncer.sendReport(report, message);
  }

  start(): Promise<void> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  get address(): string | undefined {
    return this.server.address;
  }

  get port(): number {
    return this.server.port;
  }

  get listening(): boolean {
    return this.server.listening;
  }
}
