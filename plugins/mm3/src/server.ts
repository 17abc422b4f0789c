import type { BlockList } from 'node:net';
import { mergeLimits } from '@openmmsc/core';
import { SmtpGuard, SmtpReply, closeSmtp, ipAllowed, ipList, listenSmtp, pemOrFile } from '@openmmsc/plugin-mm4';
import { SMTPServer } from 'smtp-server';
import type { Bouncer } from './bounces.js';
import type { Mm3Deps } from './context.js';
import type { MailIntake } from './intake.js';

/** The inbound SMTP server: mail for our subscribers from allowed sources (or SMTP AUTH users). */
export class Mm3Server {
  private server: SMTPServer | undefined;
  private readonly sources: BlockList;
  private readonly busy = new Set<string>();
  address: string | undefined;
  port = 0;

  constructor(
    private readonly deps: Mm3Deps,
    private readonly intake: MailIntake,
    private readonly bouncer: Bouncer,
  ) {
    this.sources = ipList(deps.options.server.allowedSources);
  }

  async start(): Promise<void> {
    const s = this.deps.options.server;
    const key = pemOrFile(s.tls.key, this.deps.ctx.baseDir);
    const cert = pemOrFile(s.tls.cert, this.deps.ctx.baseDir);
    const hasUsers = Object.keys(s.users).length > 0;
    const limits = mergeLimits(this.deps.ctx.smtpLimits, s.listener);
    const guard = new SmtpGuard({
      listener: 'mm3',
      limits,
      // The operator's relays: each entry is one peer, bounded only by the whole listener.
      peers: s.allowedSources.map((entry) => ({ name: entry, addresses: ipList([entry]), maxConnections: limits.maxConnections })),
      ...(this.deps.ctx.metrics ? { metrics: this.deps.ctx.metrics } : {}),
      admit: (iface) => this.deps.ctx.mmsc.admit(iface),
      log: this.deps.ctx.log,
    });
    const server = new SMTPServer(guard.wrap({
      ...(key && cert ? { key, cert } : {}),
      name: s.name ?? this.deps.options.domain,
      banner: 'OpenMMSC MM3',
      size: s.maxMessageSize,
      closeTimeout: s.closeTimeoutMs,
      disableReverseLookup: true,
      logger: false,
      hideDSN: true,
      authOptional: true,
      allowInsecureAuth: false,
      disabledCommands: [...(key && cert ? [] : ['STARTTLS']), ...(hasUsers ? [] : ['AUTH'])],
      onConnect: (session, callback) => {
        if (!hasUsers && !ipAllowed(this.sources, session.remoteAddress)) {
          this.deps.ctx.log.warn({ remote: session.remoteAddress }, 'MM3 connection from a source that may not send refused');
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
        if (!ipAllowed(this.sources, session.remoteAddress) && !session.user) {
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
        if (at < 0 || !this.intake.isOurDomain(address.address.slice(at + 1))) {
          callback(new SmtpReply(550, '5.7.1 relaying denied'));
          return;
        }
        if (!this.intake.subscriberOf(address.address)) {
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
            this.deps.stats.refused += 1;
            this.deps.ctx.log.warn({ remote: session.remoteAddress, from: mailFrom, bytes: stream.byteLength }, 'oversize mail refused');
            const head = Buffer.concat(chunks);
            const end = head.indexOf('\r\n\r\n');
            this.bouncer.later(mailFrom, {
              originalHeaders: head.subarray(0, end < 0 ? Math.min(head.length, 8192) : end).toString('utf8'),
              recipients: rcptTo.map((address) => ({ address, status: '5.3.4', diagnostic: `message larger than ${s.maxMessageSize} bytes` })),
              explanation: `Your message is larger than the ${s.maxMessageSize} bytes an MMS may be, and was not delivered.`,
            });
            callback(new SmtpReply(552, `5.3.4 message exceeds the size limit of ${s.maxMessageSize} bytes`));
            return;
          }
          this.intake.handleMail(mailFrom, rcptTo, Buffer.concat(chunks), session.remoteAddress).then(
            (text) => callback(null, text),
            (error: unknown) => {
              if (!(error instanceof SmtpReply)) this.deps.ctx.log.error({ err: error }, 'MM3 inbound handling failed');
              callback(error instanceof SmtpReply ? error : new SmtpReply(451, '4.3.0 temporary failure; try again later'));
            },
          );
        });
      },
      onClose: (session) => {
        this.busy.delete(session.id);
      },
    }));
    guard.attach(server);
    server.on('error', (error: Error) => this.deps.ctx.log.warn({ err: error }, 'MM3 SMTP server error'));
    const bound = await listenSmtp(server, s.port, s.host);
    this.server = server;
    this.port = bound.port;
    this.address = bound.address;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeSmtp(server, this.busy);
  }

  get listening(): boolean {
    return this.server !== undefined;
  }
}
