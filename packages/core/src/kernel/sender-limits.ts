import type { WindowLimitConfig } from '../config/admission-schema.js';
import type { Counters } from '../counters/counters.js';
import { addressKey } from '../model/address.js';
import { CONTINUE, type StageOutcome } from '../pipeline/verdict.js';
import type { WorkingSet } from './working-set.js';

function humanWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/**
 * Per-sender and per-peer volume limits in the receive stage, on by default: messages and bytes
 * per window, counted in the kernel's shared counters (in Redis for a cluster, so the limit holds
 * whichever node a sender reaches). Over a limit the message is refused for now (transient), with
 * the time until the sender has room again.
 */
export class SenderLimits {
  constructor(
    private readonly counters: Counters,
    private readonly senders: WindowLimitConfig,
    private readonly peers: WindowLimitConfig,
    private readonly onLimited: (iface: string, scope: 'sender' | 'peer') => void,
  ) {}

  async check(ws: WorkingSet): Promise<StageOutcome> {
    const iface = ws.origin.interface;
    const from = ws.message.headers.from;
    if (from) {
      const outcome = await this.take('sender', this.senders, iface, `sender:${addressKey(from)}`, `sender ${from.value}`, ws.size);
      if (outcome.kind !== 'continue') return outcome;
    }
    const peer = ws.origin.peer;
    if (peer) {
      const outcome = await this.take('peer', this.peers, iface, `peer:${iface}:${peer}`, `${iface} peer ${peer}`, ws.size);
      if (outcome.kind !== 'continue') return outcome;
    }
    return CONTINUE;
  }

  private async take(scope: 'sender' | 'peer', limit: WindowLimitConfig, iface: string, key: string, who: string, size: number): Promise<StageOutcome> {
    if (!limit.enabled || (limit.interfaces.length > 0 && !limit.interfaces.includes(iface))) return CONTINUE;
    const per = humanWindow(limit.window);
    if (size > limit.bytes) {
      this.onLimited(iface, scope);
      return { kind: 'reject', reason: { code: 'limit-exceeded', message: `message of ${size} bytes is more than ${who} may send in ${per}` } };
    }
    const messages = await this.counters.take(`${key}:messages`, limit.messages, limit.window);
    if (!messages.allowed) {
      this.onLimited(iface, scope);
      return { kind: 'defer', reason: { code: 'limit-exceeded', message: `${who} sent more than ${limit.messages} messages in ${per}; try again later` }, retryAfterMs: messages.retryAfterMs };
    }
    const bytes = await this.counters.take(`${key}:bytes`, limit.bytes, limit.window, size);
    if (!bytes.allowed) {
      this.onLimited(iface, scope);
      return { kind: 'defer', reason: { code: 'limit-exceeded', message: `${who} sent more than ${limit.bytes} bytes in ${per}; try again later` }, retryAfterMs: bytes.retryAfterMs };
    }
    return CONTINUE;
  }
}
