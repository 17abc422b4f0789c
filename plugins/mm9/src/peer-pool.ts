import { ResultCode, getNumber, nextIds, type DiameterMessage } from '@openmmsc/diameter';
import type { PluginContext } from '@openmmsc/core';
import { DiameterPeer, type LocalIdentity, type PeerConfig, type PeerTimings } from './peer.js';

type Logger = PluginContext<unknown>['log'];

export class OcsUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OcsUnreachableError';
  }
}

/** Answers that mean "this peer cannot serve you now, try another" (RFC 6733 §7.1.3). */
const TRY_ANOTHER = new Set<number>([ResultCode.UNABLE_TO_DELIVER, ResultCode.TOO_BUSY]);

/**
 * Peers in priority order: a request goes to the first open peer; when it times out, the link
 * drops or the peer answers UNABLE_TO_DELIVER / TOO_BUSY, the same request (same End-to-End id,
 * T flag set) fails over to the next open peer (RFC 4006 §5.5, RFC 6733 §5.5.4).
 */
export class PeerPool {
  readonly peers: DiameterPeer[];

  constructor(
    configs: readonly PeerConfig[],
    local: LocalIdentity,
    timings: PeerTimings,
    private readonly log: Logger,
  ) {
    this.peers = configs.map((c) => new DiameterPeer(c, local, timings, log));
  }

  start(): void {
    for (const p of this.peers) p.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.peers.map((p) => p.stop()));
  }

  openPeers(): DiameterPeer[] {
    return this.peers.filter((p) => p.state === 'open');
  }

  /** Waits until some peer is open (at most `ms`). */
  async waitAnyOpen(ms: number): Promise<boolean> {
    if (this.openPeers().length) return true;
    return Promise.any(this.peers.map((p) => p.waitOpen(ms).then((ok) => (ok ? true : Promise.reject(new Error('not open')))))).catch(() => false);
  }

  /**
   * Sends a request built per attempt; `timeoutMs` bounds each attempt, `waitMs` how long to wait
   * for a peer to come up when none is open.
   */
  async request(message: Omit<DiameterMessage, 'hopByHop' | 'endToEnd'>, timeoutMs: number, waitMs: number): Promise<{ answer: DiameterMessage; peer: string }> {
    const { endToEnd } = nextIds();
    const tried = new Set<DiameterPeer>();
    let lastError: unknown;
    for (let attempt = 0; attempt < this.peers.length + 1; attempt++) {
      let peer = this.peers.find((p) => p.state === 'open' && !tried.has(p));
      if (!peer && tried.size === 0) {
        await this.waitAnyOpen(waitMs);
        peer = this.peers.find((p) => p.state === 'open' && !tried.has(p));
      }
      if (!peer) break;
      tried.add(peer);
      const retransmit = tried.size > 1;
      try {
        const answer = await peer.request({ ...message, flags: { ...message.flags, retransmit }, endToEnd }, timeoutMs);
        const code = getNumber(answer.avps, 'Result-Code');
        if (code !== undefined && TRY_ANOTHER.has(code)) {
          lastError = new Error(`peer ${peer.config.name} answered ${code}`);
          this.log.warn({ peer: peer.config.name, resultCode: code }, 'OCS peer cannot serve; failing over');
          continue;
        }
        return { answer, peer: peer.config.name };
      } catch (error) {
        lastError = error;
        this.log.warn({ peer: peer.config.name, err: error }, 'credit-control request failed on this peer; failing over');
      }
    }
    throw new OcsUnreachableError(`no OCS peer answered${lastError ? ` (last: ${(lastError as Error).message})` : ' (none open)'}`);
  }
}
