import type { Clock, KeyValueStore } from '@openmmsc/core';

interface Failures {
  count: number;
  since: number;
}

/**
 * Failed log-ins counted per user name and per client address in the shared store (a cluster
 * throttles as one): past `maxFailures` for a user (or four times that from one address, which
 * several operators may share) within `window`, log-ins are refused until it ends.
 */
export class LoginThrottle {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
    private readonly limits: { maxFailures: number; window: number },
  ) {}

  /** Milliseconds until a log-in may be tried again, or 0. */
  async blockedFor(user: string, address: string): Promise<number> {
    const now = this.clock.now();
    let wait = 0;
    for (const [k, max] of [[userKey(user), this.limits.maxFailures], [addressKey(address), this.limits.maxFailures * ADDRESS_FACTOR]] as const) {
      const f = await this.kv.get<Failures>(k);
      if (f && f.count >= max && now - f.since < this.limits.window) wait = Math.max(wait, f.since + this.limits.window - now);
    }
    return wait;
  }

  async failed(user: string, address: string): Promise<void> {
    const now = this.clock.now();
    for (const k of [userKey(user), addressKey(address)]) {
      await this.kv.update<Failures>(k, (f) => (f && now - f.since < this.limits.window ? { count: f.count + 1, since: f.since } : { count: 1, since: now }));
    }
  }

  async succeeded(user: string): Promise<void> {
    await this.kv.delete(userKey(user));
  }
}

const ADDRESS_FACTOR = 4;
const userKey = (user: string) => `login-fail:user:${user.toLowerCase()}`;
const addressKey = (address: string) => `login-fail:addr:${address}`;
