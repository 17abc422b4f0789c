import type { LinkTracker } from '@openmmsc/core';
import { SmtpClient, type SendOutcome } from '@openmmsc/smtp';
import type { Mm4Options, PeerOptions } from './options.js';

export type { SendOutcome } from '@openmmsc/smtp';

export interface OutboundMail {
  from: string;
  to: string[];
  raw: Buffer;
}

/** Sending MM4 mail to peers: each peer's own host (or its domain's MX hosts), port, TLS and login. */
export class PeerTransports {
  private readonly client: SmtpClient;

  constructor(
    private readonly options: Mm4Options,
    baseDir: string,
    now: () => number,
    /** Each peer (by domain) as a link: up when it took a mail or answered, degraded on 4xx, down when it could not be reached. */
    private readonly links?: LinkTracker,
  ) {
    this.client = new SmtpClient({ name: options.domain, baseDir, dnsServers: options.dnsServers, timeouts: options.timeouts, now });
  }

  /** Peer config for a domain (or one of its aliases). */
  peerFor(domain: string): PeerOptions | undefined {
    const d = domain.toLowerCase();
    return this.options.peers.find((p) => p.domain.toLowerCase() === d || p.aliases.some((a) => a.toLowerCase() === d));
  }

  /** A peer config for an unknown domain (MX delivery), when allowed. */
  defaultPeer(domain: string): PeerOptions | undefined {
    if (this.options.unknownPeers !== 'mx') return undefined;
    return {
      domain,
      aliases: [],
      port: 25,
      secure: false,
      requireTls: false,
      tls: { rejectUnauthorized: true },
      maxConnections: 2,
      addresses: [],
      requireInboundTls: false,
      originators: { domains: [], numbers: [] },
    };
  }

  async send(peer: PeerOptions, mail: OutboundMail): Promise<SendOutcome> {
    const outcome = await this.client.send(peer, { envelope: { from: mail.from, to: mail.to }, raw: mail.raw });
    // A 5xx refusal is a verdict on the mail from a peer at work; a 4xx is a peer impaired.
    if (outcome.status !== 'retry') this.links?.saw(peer.domain, 'up');
    else this.links?.saw(peer.domain, outcome.code ? 'degraded' : 'down', outcome.reason);
    return outcome;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
