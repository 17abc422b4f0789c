import { SmtpClient, type OutboundMessage, type SendOutcome, type SmtpRoute } from '@openmmsc/smtp';
import type { Mm3Options } from './options.js';

export type { SendOutcome } from '@openmmsc/smtp';
export type MailOptions = OutboundMessage;

/** Sends e-mail through the configured relay, or to the recipient domain's MX hosts. */
export class Mailer {
  private readonly client: SmtpClient;

  constructor(
    private readonly options: Mm3Options,
    baseDir: string,
    now?: () => number,
  ) {
    this.client = new SmtpClient({
      name: options.fromDomain ?? options.domain,
      baseDir,
      dnsServers: options.dnsServers,
      timeouts: options.timeouts,
      ...(now ? { now } : {}),
    });
  }

  send(to: string, mail: MailOptions): Promise<SendOutcome> {
    return this.client.send(this.route(to.slice(to.lastIndexOf('@') + 1)), mail);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private route(domain: string): SmtpRoute {
    const relay = this.options.relay;
    if (!relay) return { domain, port: 25, secure: false, requireTls: false, maxConnections: 2 };
    return {
      domain,
      host: relay.host,
      port: relay.port,
      secure: relay.secure,
      requireTls: relay.requireTls,
      tls: { rejectUnauthorized: relay.rejectUnauthorized, ...(relay.ca ? { ca: relay.ca } : {}) },
      maxConnections: relay.maxConnections,
      ...(relay.auth ? { auth: relay.auth } : {}),
    };
  }
}
