/** Who may connect to a listener: peers known by address (CIDR blocks) and by name. */
import type { BlockList } from 'node:net';
import { ipAllowed, ipList } from '@openmmsc/core';
import type { GuardedPeer } from './guard.js';

/** A peer as a listener knows it, with whatever the plugin keeps about it (`config`). */
export interface SmtpPeer<T> {
  /** Names the peer in logs, metrics and connection counts (an MM4 peer's domain, an MM3 relay's address). */
  name: string;
  /** IP addresses or CIDR blocks it connects from; empty: any address (it must then prove itself: AUTH, a client certificate). */
  addresses: readonly string[];
  /** Most connections it may have open at once. */
  maxConnections: number;
  config: T;
}

interface Entry<T> {
  peer: SmtpPeer<T>;
  list: BlockList | undefined;
}

/** The peers of one listener, looked up by client address or by name. */
export class PeerAllowList<T> {
  private readonly entries: Array<Entry<T>>;

  constructor(peers: ReadonlyArray<SmtpPeer<T>>) {
    this.entries = peers.map((peer) => ({ peer, list: peer.addresses.length ? ipList(peer.addresses) : undefined }));
  }

  /** The peers a client at `remote` may be: those that connect from there, and those known from anywhere. */
  at(remote: string): T[] {
    return this.entries.filter(({ list }) => !list || ipAllowed(list, remote)).map(({ peer }) => peer.config);
  }

  /** Whether `remote` is inside the addresses of some peer (peers known from anywhere do not count). */
  listed(remote: string): boolean {
    return this.entries.some(({ list }) => list !== undefined && ipAllowed(list, remote));
  }

  /** The peer of that name (case-insensitive). */
  named(name: string): T | undefined {
    const n = name.toLowerCase();
    return this.entries.find(({ peer }) => peer.name.toLowerCase() === n)?.peer.config;
  }

  /** Peers known by address, for `SmtpGuard`: counted (and given reserved slots) at connect. */
  guarded(): GuardedPeer[] {
    return this.entries.flatMap(({ peer, list }) => (list ? [{ name: peer.name, addresses: list, maxConnections: peer.maxConnections }] : []));
  }
}
