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

  send(peer: PeerOptions, mail: OutboundMail): Promise<SendOutcome> {
    return this.client.send(peer, { envelope: { from: mail.from, to: mail.to }, raw: mail.raw });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
