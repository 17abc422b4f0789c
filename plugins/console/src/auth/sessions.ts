import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock, KeyValueStore } from '@openmmsc/core';
import type { Role } from '../options.js';

export interface Session {
  user: string;
  role: Role;
  /** Sent back with every state-changing request (header `x-csrf-token` or form field `_csrf`). */
  csrf: string;
  createdAt: number;
  lastSeen: number;
}

/** A request refreshes `lastSeen` at most this often (each refresh is a store write). */
const TOUCH_MS = 60_000;

/**
 * Log-in sessions in the shared store, so any node of a cluster knows them. The key is a hash of
 * the cookie's token: what the store holds cannot be replayed as a cookie.
 */
export class Sessions {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
    private readonly limits: { ttl: number; idle: number },
  ) {}

  async open(user: string, role: Role): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const session: Session = { user, role, csrf: randomBytes(24).toString('base64url'), createdAt: now, lastSeen: now };
    await this.kv.set(key(token), session, this.ttlLeft(session, now));
    return { token, session };
  }

  /** The live session of a cookie's token, or undefined (unknown, idle too long, or past its lifetime). */
  async find(token: string | undefined): Promise<Session | undefined> {
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const session = await this.kv.get<Session>(key(token));
    if (!session) return undefined;
    const now = this.clock.now();
    if (this.ttlLeft(session, now) <= 0) {
      await this.kv.delete(key(token));
      return undefined;
    }
    if (now - session.lastSeen >= TOUCH_MS) {
      const touched = { ...session, lastSeen: now };
      await this.kv.set(key(token), touched, this.ttlLeft(touched, now));
      return touched;
    }
    return session;
  }

  async close(token: string | undefined): Promise<void> {
    if (token) await this.kv.delete(key(token));
  }

  private ttlLeft(s: Session, now: number): number {
    return Math.min(s.createdAt + this.limits.ttl, s.lastSeen + this.limits.idle) - now;
  }
}

export function csrfMatches(session: Session, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function key(token: string): string {
  return `session:${createHash('sha256').update(token).digest('base64url')}`;
}
