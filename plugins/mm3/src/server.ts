import { PeerAllowList, SmtpListener, SmtpReply, replies } from '@openmmsc/smtp';
import type { Bouncer } from './bounces.js';
import type { Mm3Deps } from './context.js';
import type { MailIntake } from './intake.js';

/** The inbound SMTP server: mail for our subscribers from allowed sources (or SMTP AUTH users). */
export class Mm3Server extends SmtpListener {
  constructor(deps: Mm3Deps, intake: MailIntake, bouncer: Bouncer) {
    const { ctx, options, stats } = deps;
    const s = options.server;
    const maxConnections = s.listener.maxConnections ?? ctx.smtpLimits.maxConnections;
    // The operator's relays: each entry is one peer, bounded only by the whole listener.
    const sources = new PeerAllowList(s.allowedSources.map((entry) => ({ name: entry, addresses: [entry], maxConnections, config: entry })));
    const hasUsers = Object.keys(s.users).length > 0;
    super(
      {
        listener: 'mm3',
        host: s.host,
        port: s.port,
        name: s.name ?? options.domain,
        banner: 'OpenMMSC MM3',
        maxMessageSize: s.maxMessageSize,
        maxRecipients: s.maxRecipients,
        closeTimeoutMs: s.closeTimeoutMs,
        domains: [options.domain, ...options.aliases],
        tls: s.tls,
        baseDir: ctx.baseDir,
        requireTls: s.requireTls,
        limits: ctx.smtpLimits,
        overrides: s.listener,
        peers: sources.guarded(),
        ...(ctx.metrics ? { metrics: ctx.metrics } : {}),
        admit: (iface) => ctx.mmsc.admit(iface),
        log: ctx.log,
      },
      {
        connect: (remote) => (!hasUsers && !sources.listed(remote) ? new SmtpReply(554, '5.7.1 this address may not send mail here') : undefined),
        ...(hasUsers ? { login: (user: string, pass: string) => (s.users[user] !== undefined && s.users[user] === pass ? user : undefined) } : {}),
        mailFrom: (_address, session) => (!sources.listed(session.remoteAddress) && !session.user ? replies.authenticationRequired() : undefined),
        rcptTo: (address) => (intake.subscriberOf(address) ? undefined : new SmtpReply(550, `5.1.1 <${address}>: not a phone number`)),
        message: (mail) => intake.handleMail(mail.mailFrom, mail.rcptTo, mail.raw, mail.session.remoteAddress),
        oversize: (mail) => {
          stats.refused += 1;
          const end = mail.raw.indexOf('\r\n\r\n');
          bouncer.later(mail.mailFrom, {
            originalHeaders: mail.raw.subarray(0, end < 0 ? Math.min(mail.raw.length, 8192) : end).toString('utf8'),
            recipients: mail.rcptTo.map((address) => ({ address, status: '5.3.4', diagnostic: `message larger than ${s.maxMessageSize} bytes` })),
            explanation: `Your message is larger than the ${s.maxMessageSize} bytes an MMS may be, and was not delivered.`,
          });
        },
      },
    );
  }
}
