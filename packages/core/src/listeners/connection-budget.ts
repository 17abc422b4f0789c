import type { BlockList } from 'node:net';
import { ipAllowed, plainAddress } from './address-list.js';

export type RefusalReason = 'max-connections' | 'per-address' | 'per-peer';

export type Admission =
  | { ok: true; release(): void }
  | { ok: false; reason: RefusalReason; detail: string };

/** A configured peer whose connections are counted apart: at most `max`, with slots kept for it. */
export interface ConnectionGroup {
  name: string;
  max: number;
}

export interface ConnectionBudgetOptions {
  maxConnections: number;
  /** 0: no limit. */
  maxConnectionsPerAddress: number;
  /** Addresses not held to the per-address limit. */
  exempt?: BlockList | undefined;
  /** Peers with their own cap and reserved slots (SMTP listeners). */
  groups?: readonly ConnectionGroup[];
  /** Slots of `maxConnections` kept for each group (at most its `max`). */
  reservedPerGroup?: number;
}

/**
 * Counts open connections of one listener, in all, per client address and per configured peer,
 * and says at connect whether another may open. Slots reserved for each peer are not available
 * to anyone else, so strangers (or one peer's address) filling the listener cannot lock a peer out.
 */
export class ConnectionBudget {
  private shared = 0;
  private readonly perAddress = new Map<string, number>();
  private readonly perGroup = new Map<string, { count: number; reservedUsed: number }>();
  private readonly groups = new Map<string, { max: number; reserved: number }>();
  private readonly sharedCapacity: number;

  constructor(private readonly o: ConnectionBudgetOptions) {
    let reservedTotal = 0;
    for (const g of o.groups ?? []) {
      const reserved = Math.min(o.reservedPerGroup ?? 0, g.max);
      this.groups.set(g.name, { max: g.max, reserved });
      reservedTotal += reserved;
    }
    this.sharedCapacity = Math.max(0, o.maxConnections - reservedTotal);
  }

  /** Connections open now. */
  get open(): number {
    let n = this.shared;
    for (const g of this.perGroup.values()) n += g.reservedUsed;
    return n;
  }

  /** Takes a slot for a new connection from `remote` (belonging to peer `group`, if known). */
  admit(remote: string, group?: string): Admission {
    const g = group === undefined ? undefined : this.groups.get(group);
    if (g && group !== undefined) {
      const state = this.perGroup.get(group) ?? { count: 0, reservedUsed: 0 };
      if (state.count >= g.max) return { ok: false, reason: 'per-peer', detail: `${group} has ${state.count} connections open, its limit` };
      const reserved = state.reservedUsed < g.reserved;
      if (!reserved && this.shared >= this.sharedCapacity) return { ok: false, reason: 'max-connections', detail: 'too many connections' };
      state.count++;
      if (reserved) state.reservedUsed++;
      else this.shared++;
      this.perGroup.set(group, state);
      return { ok: true, release: this.once(() => this.releaseGroup(group, reserved)) };
    }
    const address = plainAddress(remote);
    const limited = this.o.maxConnectionsPerAddress > 0 && !(this.o.exempt && ipAllowed(this.o.exempt, address));
    const count = this.perAddress.get(address) ?? 0;
    if (limited && count >= this.o.maxConnectionsPerAddress) {
      return { ok: false, reason: 'per-address', detail: `${address} has ${count} connections open, the limit per address` };
    }
    if (this.shared >= this.sharedCapacity) return { ok: false, reason: 'max-connections', detail: 'too many connections' };
    this.shared++;
    this.perAddress.set(address, count + 1);
    return { ok: true, release: this.once(() => this.releaseAddress(address)) };
  }

  private releaseGroup(group: string, reserved: boolean): void {
    const state = this.perGroup.get(group);
    if (!state) return;
    state.count--;
    if (reserved) state.reservedUsed--;
    else this.shared--;
    if (state.count <= 0) this.perGroup.delete(group);
  }

  private releaseAddress(address: string): void {
    this.shared--;
    const n = (this.perAddress.get(address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, n);
  }

  private once(fn: () => void): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      fn();
    };
  }
}
