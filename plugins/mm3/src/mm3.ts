import { BlockList, isIP, type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import {
  addressKey,
  type Address,
  type DeliveryRequest,
  type DeliveryResult,
  type MmsMessage,
  type MmscRuntime,
  type Reason,
  type Report,
  type StoredMessage,
} from '@openmmsc/core';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { buildBounce } from './bounce.js';
import { emailToParts } from './from-email.js';
import type { Mailer } from './mailer.js';
import type { Mm3Options } from './options.js';
import { mmsToEmail } from './to-email.js';

export const MM3_INTERFACE = 'mm3';

export interface Mm3Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface Mm3Context {
  name: string;
  mmsc: MmscRuntime;
  log: Mm3Log;
  now: () => number;
  baseDir: string;
}

export class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'SmtpReply';
  }
}

export interface Mm3Stats {
  sent: number;
  received: number;
  refused: number;
  bounces: number;
}

/** SMTP reply (code, enhanced status) for a kernel reason. */
export function smtpFor(reason: Reason): { code: number; status: string } {
  switch (reason.code) {
    case 'size-exceeded':
      return { code: 552, status: '5.3.4' };
    case 'address-unresolved':
    case 'no-route':
      return { code: 550, status: '5.1.1' };
    case 'sending-address-unresolved':
      return { code: 553, status: '5.1.7' };
    case 'too-many-recipients':
      return { code: 452, status: '4.5.3' };
    case 'format-corrupt':
    case 'unsupported-message':
      return { code: 554, status: '5.6.0' };
    case 'network-problem':
    case 'internal-error':
      return { code: 451, status: '4.3.0' };
    case 'limit-exceeded':
      return { code: 450, status: '4.7.1' };
    default:
      return { code: 554, status: '5.7.1' };
  }
}

const FAILED: ReadonlySet<string> = new Set(['rejected', 'expired', 'unreachable', 'unrecognised', 'deleted']);

function blockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    const [ip, bits] = e.split('/') as [string, string | undefined];
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (bits !== undefined) list.addSubnet(ip, Number(bits), family);
    else list.addAddress(ip, family);
  }
  return list;
}

function allowed(list: BlockList, remote: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  const ip = mapped ? mapped[1]! : remote;
  return list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}

/** MM3: MMS to e-mail (Deliverer `mm3`), e-mail to MMS (SMTP server), bounces (ReportSender `mm3`). */
export class Mm3 {
  readonly stats: Mm3Stats = { sent: 0, received: 0, refused: 0, bounces: 0 };
  private server: SMTPServer | undefined;
  private readonly sources: BlockList;
  private readonly domains: Set<string>;
  private readonly busy = new Set<string>();
  address: string | undefined;
  port = 0;

  constructor(
    private readonly ctx: Mm3Context,
    private readonly options: Mm3Options,
    private readonly mailer: Mailer,
  ) {
    this.sources = blockList(options.server.allowedSources);
    this.domains = new Set([options.domain, ...options.aliases].map((d) => d.toLowerCase()));
  }

  private get bounceFrom(): string {
    return this.options.bounceFrom ?? `MAILER-DAEMON@${this.options.domain}`;
  }

  // --- MMS → e-mail --------------------------------------------------------------------

  async deliver(request: DeliveryRequest): Promise<DeliveryResult> {
    const { message, recipient, parts } = request;
    if (recipient.address.type !== 'email') {
      return { status: 'rejected', reason: { code: 'no-route', message: `${recipient.address.value} is not an e-mail address` } };
    }
    const size = parts.reduce((n, p) => n + p.data.byteLength, 0);
    if (size > this.options.outbound.maxSize) {
      return { status: 'rejected', reason: { code: 'size-exceeded', message: `message of ${size} bytes is larger than e-mail allows here` } };
    }
    const mail = mmsToEmail(message, parts, recipient.address.value, this.options);
    const outcome = await this.mailer.send(recipient.address.value, mail);
    if (outcome.status === 'retry') return { status: 'retry', reason: outcome.reason };
    if (outcome.status === 'refused') {
      this.ctx.log.info({ messageId: message.id, to: recipient.address.value, reason: outcome.reason }, 'e-mail refused');
      return { status: 'rejected', reason: { code: outcome.code === 552 ? 'size-exceeded' : 'address-unresolved', message: outcome.reason } };
    }
    this.stats.sent += 1;
    this.ctx.log.info({ messageId: message.id, to: recipient.address.value }, 'MMS sent as e-mail');
    // E-mail has no delivery confirmation: handing it to the mail system is as far as we can see.
    return outcome.messageId ? { status: 'delivered', reference: outcome.messageId } : { status: 'delivered' };
  }

  // --- bounces -------------------------------------------------------------------------

  /** ReportSender for `mm3`: a bounce to the e-mail sender when the MMS failed for good. */
  async sendReport(report: Report, message: StoredMessage): Promise<void> {
    if (report.kind !== 'delivery' || !FAILED.has(report.status) || !this.options.inbound.bounces) return;
    const attrs = message.origin.attributes ?? {};
    const to = typeof attrs.envelopeFrom === 'string' && attrs.envelopeFrom ? attrs.envelopeFrom : message.headers.from.type === 'email' ? message.headers.from.value : '';
    if (!to) return; // a null reverse path is never bounced to
    await this.bounce(to, {
      ...(message.headers.subject?.text ? { subject: message.headers.subject.text } : {}),
      ...(typeof attrs.emailMessageId === 'string' ? { originalMessageId: attrs.emailMessageId } : {}),
      recipients: [{ address: this.recipientEmail(report.recipient), status: report.status === 'expired' ? '4.4.7' : '5.0.0', diagnostic: report.text ?? `MMS ${report.status}` }],
      explanation: report.status === 'expired' ? 'Your message could not be delivered before it expired.' : 'Your message could not be delivered to the following recipient(s).',
    });
  }

  private recipientEmail(a: Address): string {
    return a.type === 'email' ? a.value : `${a.value}@${this.options.domain}`;
  }

  private async bounce(
    to: string,
    spec: { subject?: string; originalMessageId?: string; originalHeaders?: string; recipients: Array<{ address: string; status: string; diagnostic: string }>; explanation: string },
  ): Promise<void> {
    const raw = buildBounce({ reportingMta: this.options.domain, from: this.bounceFrom, to, date: new Date(this.ctx.now()), ...spec });
    const outcome = await this.mailer.send(to, { envelope: { from: '', to: [to] }, raw });
    if (outcome.status === 'retry') throw new Error(`bounce to ${to} not sent: ${outcome.reason}`);
    if (outcome.status === 'refused') {
      this.ctx.log.warn({ to, reason: outcome.reason }, 'bounce refused; dropped');
      return;
    }
    this.stats.bounces += 1;
    this.ctx.log.info({ to }, 'bounce sent');
  }

  /** Bounces in the background (after an SMTP refusal the sender is already told; this is the DSN). */
  private bounceLater(to: string, spec: Parameters<Mm3['bounce']>[1]): void {
    if (!this.options.inbound.bounces || !to) return;
    void this.bounce(to, spec).catch((error: unknown) => this.ctx.log.warn({ err: error, to }, 'bounce failed'));
  }

  // --- e-mail → MMS --------------------------------------------------------------------

  /** `+15551234567@domain` / `15551234567@domain` → the subscriber's address, or undefined. */
  subscriberOf(rcpt: string): Address | undefined {
    const at = rcpt.lastIndexOf('@');
    if (at < 0 || !this.domains.has(rcpt.slice(at + 1).toLowerCase())) return undefined;
    const local = rcpt.slice(0, at).replace(/\/TYPE=PLMN$/i, '');
    if (!/^\+?\d{3,15}$/.test(local)) return undefined;
    try {
      const a = this.ctx.mmsc.parseAddress(local.startsWith('+') ? local : `+${local}`);
      return a.type === 'plmn' ? a : undefined;
    } catch {
      return undefined;
    }
  }

  async handleMail(envelopeFrom: string, rcptTo: string[], raw: Buffer, remote: string): Promise<string> {
    let mail: ParsedMail;
    try {
      mail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
    } catch (error) {
      this.stats.refused += 1;
      this.ctx.log.warn({ remote, err: (error as Error).message }, 'unreadable mail refused');
      throw new SmtpReply(554, `5.6.0 message could not be parsed: ${(error as Error).message}`);
    }
    const headerText = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n'))).toString('utf8');
    const emailMessageId = mail.messageId;
    const subject = mail.subject;
    const converted = emailToParts(mail, this.options);
    if (converted.refuse) {
      this.stats.refused += 1;
      this.ctx.log.warn({ remote, from: envelopeFrom, reason: converted.refuse }, 'mail with executable content refused');
      throw new SmtpReply(554, `5.7.1 refused: ${converted.refuse}`);
    }
    if (converted.parts.length === 0) {
      this.stats.refused += 1;
      throw new SmtpReply(554, '5.6.0 nothing to send: the mail has no text or attachments');
    }
    const fromHeader = mail.from?.value[0]?.address;
    let from: Address;
    try {
      from = this.ctx.mmsc.parseAddress(fromHeader || envelopeFrom);
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
        deliveryReport: this.options.inbound.bounces,
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
    const result = await this.ctx.mmsc.submit({ message, origin: { interface: MM3_INTERFACE, peer: remote, attributes } });
    const bounceBase = { ...(subject ? { subject } : {}), ...(emailMessageId ? { originalMessageId: emailMessageId } : {}), originalHeaders: headerText };
    if (result.status === 'deferred') throw new SmtpReply(451, `4.3.0 ${result.reason.message}; try again later`);
    if (result.status === 'rejected') {
      this.stats.refused += 1;
      const { code, status } = smtpFor(result.reason);
      this.ctx.log.info({ remote, from: envelopeFrom, reason: result.reason }, 'mail refused by the MMSC');
      if (code === 552) {
        this.bounceLater(envelopeFrom, { ...bounceBase, recipients: rcptTo.map((address) => ({ address, status, diagnostic: result.reason.message })), explanation: 'Your message is larger than an MMS may be.' });
      }
      throw new SmtpReply(code, `${status} ${result.reason.message}`);
    }
    this.stats.received += 1;
    const refused = result.recipients.filter((r) => r.status === 'rejected');
    if (refused.length) {
      this.bounceLater(envelopeFrom, {
        ...bounceBase,
        recipients: refused.map((r) => ({ address: this.recipientEmail(r.address), status: smtpFor(r.status === 'rejected' ? r.reason : { code: 'internal-error', message: '' }).status, diagnostic: r.status === 'rejected' ? r.reason.message : '' })),
        explanation: 'Your message could not be delivered to some recipients.',
      });
    }
    const keys = new Set(result.recipients.filter((r) => r.status !== 'rejected').map((r) => addressKey(r.address)));
    this.ctx.log.info({ messageId: result.messageId, from: envelopeFrom, recipients: [...keys] }, 'e-mail accepted as MMS');
    return `2.0.0 accepted as MMS ${result.messageId}`;
  }

  // --- the SMTP server ------------------------------------------------------------------

  async start(): Promise<void> {
    const s = this.options.server;
    const pem = (v: string | undefined) => (v === undefined ? undefined : v.includes('-----BEGIN') ? v : readFileSync(resolvePath(this.ctx.baseDir, v), 'utf8'));
    const key = pem(s.tls.key);
    const cert = pem(s.tls.cert);
    const hasUsers = Object.keys(s.users).length > 0;
    const server = new SMTPServer({
      ...(key && cert ? { key, cert } : {}),
      name: s.name ?? this.options.domain,
      banner: 'OpenMMSC MM3',
      size: s.maxMessageSize,
      socketTimeout: s.socketTimeoutMs,
      closeTimeout: s.closeTimeoutMs,
      disableReverseLookup: true,
      logger: false,
      hideDSN: true,
      authOptional: true,
      allowInsecureAuth: false,
      disabledCommands: [...(key && cert ? [] : ['STARTTLS']), ...(hasUsers ? [] : ['AUTH'])],
      onConnect: (session, callback) => {
        if (!hasUsers && !allowed(this.sources, session.remoteAddress)) {
          this.ctx.log.warn({ remote: session.remoteAddress }, 'MM3 connection from a source that may not send refused');
          callback(new SmtpReply(554, '5.7.1 this address may not send mail here'));
          return;
        }
        callback();
      },
      onAuth: (auth, _session, callback) => {
        const pass = s.users[auth.username ?? ''];
        if (pass === undefined || pass !== auth.password) callback(new SmtpReply(535, '5.7.8 authentication failed'));
        else callback(null, { user: auth.username });
      },
      onMailFrom: (_address, session, callback) => {
        if (!allowed(this.sources, session.remoteAddress) && !session.user) {
          callback(new SmtpReply(530, '5.7.0 authentication required'));
          return;
        }
        this.busy.add(session.id);
        callback();
      },
      onRcptTo: (address, session, callback) => {
        if (session.envelope.rcptTo.length >= s.maxRecipients) {
          callback(new SmtpReply(452, '4.5.3 too many recipients'));
          return;
        }
        const at = address.address.lastIndexOf('@');
        if (at < 0 || !this.domains.has(address.address.slice(at + 1).toLowerCase())) {
          callback(new SmtpReply(550, '5.7.1 relaying denied'));
          return;
        }
        if (!this.subscriberOf(address.address)) {
          callback(new SmtpReply(550, `5.1.1 <${address.address}>: not a phone number`));
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (e: Error) => callback(e));
        stream.on('end', () => {
          this.busy.delete(session.id);
          const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const rcptTo = session.envelope.rcptTo.map((r) => r.address);
          if (stream.sizeExceeded) {
            this.stats.refused += 1;
            this.ctx.log.warn({ remote: session.remoteAddress, from: mailFrom, bytes: stream.byteLength }, 'oversize mail refused');
            const head = Buffer.concat(chunks);
            const end = head.indexOf('\r\n\r\n');
            this.bounceLater(mailFrom, {
              originalHeaders: head.subarray(0, end < 0 ? Math.min(head.length, 8192) : end).toString('utf8'),
              recipients: rcptTo.map((address) => ({ address, status: '5.3.4', diagnostic: `message larger than ${s.maxMessageSize} bytes` })),
              explanation: `Your message is larger than the ${s.maxMessageSize} bytes an MMS may be, and was not delivered.`,
            });
            callback(new SmtpReply(552, `5.3.4 message exceeds the size limit of ${s.maxMessageSize} bytes`));
            return;
          }
          this.handleMail(mailFrom, rcptTo, Buffer.concat(chunks), session.remoteAddress).then(
            (text) => callback(null, text),
            (error: unknown) => {
              if (!(error instanceof SmtpReply)) this.ctx.log.error({ err: error }, 'MM3 inbound handling failed');
              callback(error instanceof SmtpReply ? error : new SmtpReply(451, '4.3.0 temporary failure; try again later'));
            },
          );
        });
      },
      onClose: (session) => {
        this.busy.delete(session.id);
      },
    });
    server.on('error', (error: Error) => this.ctx.log.warn({ err: error }, 'MM3 SMTP server error'));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(s.port, s.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const a = server.server.address() as AddressInfo;
    this.port = a.port;
    this.address = `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of server.connections) {
      const c = connection as unknown as { id?: string; send(code: number, text: string): void; close(): void };
      if (c.id && this.busy.has(c.id)) continue;
      c.send(421, '4.3.2 service shutting down');
      c.close();
    }
    await closed;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }
}
